// The AWS SDK for JavaScript v3, configured only as its users configure it (AWS_ENDPOINT_URL_KMS,
// AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), walks the calls a Node.js service makes:
// envelope-style Encrypt/Decrypt with an encryption context, ECDSA Sign/Verify, and the typed errors
// its callers catch. It prints one JSON object of what it observed (no plaintext, ciphertext or
// credentials) and exits 1 when anything differs from what AWS KMS documents, so it is useful on its
// own against `make run` as well as from tests/aws/test_javascript_sdk.py.
import { createPublicKey, verify as verifyOffline } from "node:crypto";
import { readFile } from "node:fs/promises";

import {
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GetPublicKeyCommand,
  KMSClient,
  KMSInvalidSignatureException,
  NotFoundException,
  SignCommand,
  VerifyCommand,
} from "@aws-sdk/client-kms";

// Without the endpoint the SDK would call AWS itself with whatever credentials it was given.
if (!process.env.AWS_ENDPOINT_URL_KMS) {
  console.error("scenario: set AWS_ENDPOINT_URL_KMS to keygraph's URL (e.g. http://127.0.0.1:8080)");
  process.exit(2);
}

const sdkPackage = JSON.parse(
  await readFile(new URL("./node_modules/@aws-sdk/client-kms/package.json", import.meta.url), "utf8"),
);
const kms = new KMSClient({});
const results = { sdkVersion: sdkPackage.version, region: await kms.config.region() };
const problems = [];

function expect(condition, what) {
  if (!condition) problems.push(what);
}

function describeError(error) {
  return {
    name: error.name,
    message: error.message,
    httpStatusCode: error.$metadata?.httpStatusCode,
    fault: error.$fault,
  };
}

// Runs one call that must succeed; an exception is recorded under the step and ends the scenario,
// since every later step needs what the earlier ones made.
async function step(name, command) {
  try {
    return await kms.send(command);
  } catch (error) {
    results[name] = { error: describeError(error) };
    problems.push(`${name}: unexpected ${error.name}: ${error.message}`);
    finish();
  }
}

// Runs one call that must fail with `errorClass`; the observed error is recorded under the step.
async function stepFailing(name, command, errorClass) {
  try {
    const response = await kms.send(command);
    results[name] = { error: null, response: { ...response, $metadata: undefined } };
    problems.push(`${name}: succeeded, expected ${errorClass.name}`);
  } catch (error) {
    results[name] = { error: { ...describeError(error), isInstance: error instanceof errorClass } };
    expect(error instanceof errorClass, `${name}: ${error.name} is not an instance of ${errorClass.name}`);
    expect(error.$metadata?.httpStatusCode === 400, `${name}: HTTP ${error.$metadata?.httpStatusCode}, expected 400`);
  }
}

function finish() {
  console.log(JSON.stringify(results, null, 2));
  for (const problem of problems) console.error(`scenario: ${problem}`);
  process.exit(problems.length === 0 ? 0 : 1);
}

const plaintext = new TextEncoder().encode("card 4111 1111 1111 1111, exp 12/34");
const encryptionContext = { tenant: "acme", purpose: "conformance" };

const created = await step("createSymmetricKey", new CreateKeyCommand({ Description: "aws-sdk-js conformance" }));
const symmetric = created.KeyMetadata;
results.createSymmetricKey = {
  keyId: symmetric.KeyId,
  arn: symmetric.Arn,
  keySpec: symmetric.KeySpec,
  keyUsage: symmetric.KeyUsage,
  keyState: symmetric.KeyState,
  enabled: symmetric.Enabled,
  creationDateIsDate: symmetric.CreationDate instanceof Date,
};
expect(symmetric.KeySpec === "SYMMETRIC_DEFAULT", "createSymmetricKey: KeySpec");
expect(symmetric.KeyUsage === "ENCRYPT_DECRYPT", "createSymmetricKey: KeyUsage");
expect(symmetric.KeyState === "Enabled", "createSymmetricKey: KeyState");
expect(symmetric.Arn?.endsWith(`:key/${symmetric.KeyId}`), "createSymmetricKey: Arn does not end in the KeyId");

const encrypted = await step(
  "encrypt",
  new EncryptCommand({ KeyId: symmetric.KeyId, Plaintext: plaintext, EncryptionContext: encryptionContext }),
);
results.encrypt = {
  keyId: encrypted.KeyId,
  encryptionAlgorithm: encrypted.EncryptionAlgorithm,
  ciphertextIsBytes: encrypted.CiphertextBlob instanceof Uint8Array,
  ciphertextDiffersFromPlaintext: !Buffer.from(encrypted.CiphertextBlob ?? []).includes(Buffer.from(plaintext)),
};
expect(encrypted.KeyId === symmetric.Arn, "encrypt: KeyId is not the key ARN");
expect(encrypted.EncryptionAlgorithm === "SYMMETRIC_DEFAULT", "encrypt: EncryptionAlgorithm");
expect(results.encrypt.ciphertextIsBytes, "encrypt: CiphertextBlob is not bytes");
expect(results.encrypt.ciphertextDiffersFromPlaintext, "encrypt: the plaintext shows in the ciphertext");

// As callers of a symmetric key do: no KeyId, the ciphertext names its key.
const decrypted = await step(
  "decrypt",
  new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: encryptionContext }),
);
results.decrypt = {
  keyId: decrypted.KeyId,
  encryptionAlgorithm: decrypted.EncryptionAlgorithm,
  plaintextMatches: Buffer.from(decrypted.Plaintext ?? []).equals(Buffer.from(plaintext)),
};
expect(decrypted.KeyId === symmetric.Arn, "decrypt: KeyId is not the key ARN");
expect(results.decrypt.plaintextMatches, "decrypt: plaintext differs");

const signingCreated = await step(
  "createSigningKey",
  new CreateKeyCommand({ KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY", Description: "aws-sdk-js conformance" }),
);
const signingKey = signingCreated.KeyMetadata;
results.createSigningKey = {
  arn: signingKey.Arn,
  keySpec: signingKey.KeySpec,
  keyUsage: signingKey.KeyUsage,
  signingAlgorithms: signingKey.SigningAlgorithms,
};
expect(signingKey.KeySpec === "ECC_NIST_P256", "createSigningKey: KeySpec");
expect(signingKey.KeyUsage === "SIGN_VERIFY", "createSigningKey: KeyUsage");
expect(signingKey.SigningAlgorithms?.includes("ECDSA_SHA_256"), "createSigningKey: no ECDSA_SHA_256");

const message = new TextEncoder().encode("release v1.2.3, sha256 of the tarball");
const signed = await step(
  "sign",
  new SignCommand({
    KeyId: signingKey.Arn,
    Message: message,
    MessageType: "RAW",
    SigningAlgorithm: "ECDSA_SHA_256",
  }),
);
results.sign = {
  keyId: signed.KeyId,
  signingAlgorithm: signed.SigningAlgorithm,
  signatureIsBytes: signed.Signature instanceof Uint8Array,
};
expect(signed.KeyId === signingKey.Arn, "sign: KeyId is not the key ARN");
expect(signed.SigningAlgorithm === "ECDSA_SHA_256", "sign: SigningAlgorithm");

const verified = await step(
  "verify",
  new VerifyCommand({
    KeyId: signingKey.Arn,
    Message: message,
    MessageType: "RAW",
    Signature: signed.Signature,
    SigningAlgorithm: "ECDSA_SHA_256",
  }),
);
results.verify = {
  keyId: verified.KeyId,
  signatureValid: verified.SignatureValid,
  signingAlgorithm: verified.SigningAlgorithm,
};
expect(verified.KeyId === signingKey.Arn, "verify: KeyId is not the key ARN");
expect(verified.SignatureValid === true, "verify: SignatureValid is not true");

// What Node.js services do with KMS signatures: verify them offline with the public key.
const publicKey = await step("getPublicKey", new GetPublicKeyCommand({ KeyId: signingKey.Arn }));
const derSignatureVerifies = verifyOffline(
  "sha256",
  message,
  createPublicKey({ key: Buffer.from(publicKey.PublicKey), format: "der", type: "spki" }),
  signed.Signature,
);
results.getPublicKey = { keyId: publicKey.KeyId, keySpec: publicKey.KeySpec, derSignatureVerifies };
expect(publicKey.KeyId === signingKey.Arn, "getPublicKey: KeyId is not the key ARN");
expect(derSignatureVerifies, "getPublicKey: node:crypto does not verify the signature with the public key");

const changed = Uint8Array.from(message);
changed[0] ^= 0x01;
await stepFailing(
  "verifyChangedMessage",
  new VerifyCommand({
    KeyId: signingKey.Arn,
    Message: changed,
    MessageType: "RAW",
    Signature: signed.Signature,
    SigningAlgorithm: "ECDSA_SHA_256",
  }),
  KMSInvalidSignatureException,
);

const missingKeyId = "0b7c1f3e-4a5d-4e6f-8a9b-0c1d2e3f4a5b";
results.missingKeyId = missingKeyId;
await stepFailing("describeMissingKey", new DescribeKeyCommand({ KeyId: missingKeyId }), NotFoundException);

finish();
