/**
 * A small crypto playground in the manner of Vault's transit forms: encrypt and decrypt text under an
 * encryption context, sign and verify, generate a data key. Text is turned into base64 (keygraph's
 * Base64 scalar) in the browser; nothing is kept after the page is left.
 */
import { useState, type FormEvent } from 'react';
import { request } from '../api';
import { base64ToText, textToBase64 } from '../base64';
import { graphql } from '../gql';
import type { DataKeySpec, SigningAlgorithmSpec } from '../gql/graphql';
import { ContextRows, toStringMap, type Row } from '../components/ContextRows';
import { Button, Status } from '../components/ui';
import { useAction, useLoad } from '../hooks';

const PlaygroundKeys = graphql(`
  query PlaygroundKeys {
    listKeys(input: { limit: 1000 }) {
      keys {
        keyId
        keyMetadata {
          description
          keyUsage
          keyState
          signingAlgorithms
        }
        aliases {
          aliasName
        }
      }
    }
  }
`);

const Encrypt = graphql(`
  mutation PlaygroundEncrypt($input: EncryptInput!) {
    encrypt(input: $input) {
      ciphertextBlob
      keyId
      encryptionAlgorithm
    }
  }
`);

const Decrypt = graphql(`
  mutation PlaygroundDecrypt($input: DecryptInput!) {
    decrypt(input: $input) {
      plaintext
      keyId
    }
  }
`);

const Sign = graphql(`
  mutation PlaygroundSign($input: SignInput!) {
    sign(input: $input) {
      signature
      signingAlgorithm
    }
  }
`);

const Verify = graphql(`
  mutation PlaygroundVerify($input: VerifyInput!) {
    verify(input: $input) {
      signatureValid
    }
  }
`);

const GenerateDataKey = graphql(`
  mutation PlaygroundDataKey($input: GenerateDataKeyInput!) {
    generateDataKey(input: $input) {
      plaintext
      ciphertextBlob
      keyId
    }
  }
`);

const SIGNING_ALGORITHMS: SigningAlgorithmSpec[] = [
  'RSASSA_PSS_SHA_256',
  'RSASSA_PSS_SHA_384',
  'RSASSA_PSS_SHA_512',
  'RSASSA_PKCS1_V1_5_SHA_256',
  'RSASSA_PKCS1_V1_5_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_512',
  'ECDSA_SHA_256',
  'ECDSA_SHA_384',
  'ECDSA_SHA_512',
  'ED25519_SHA_512',
];

export function PlaygroundPage() {
  const keys = useLoad(() => request(PlaygroundKeys), []);
  const [keyId, setKeyId] = useState(() => new URLSearchParams(window.location.search).get('key') ?? '');
  const [context, setContext] = useState<Row[]>([]);
  const chosen = keys.data?.listKeys.keys.find((key) => key.keyId === keyId || key.aliases?.some((alias) => alias.aliasName === keyId));

  return (
    <section aria-labelledby="playground-title">
      <h1 id="playground-title">Crypto playground</h1>
      <p>
        Calls keygraph's GraphQL API with the signed-in principal's rights. Every call is audited like any other.
      </p>
      <div className="card">
        <div className="field">
          <label htmlFor="playground-key">Key ID or alias</label>
          <input
            id="playground-key"
            list="playground-keys"
            value={keyId}
            onChange={(event) => setKeyId(event.target.value)}
            spellCheck={false}
            placeholder="alias/my-key"
          />
          <datalist id="playground-keys">
            {(keys.data?.listKeys.keys ?? []).map((key) => (
              <option key={key.keyId} value={key.keyId}>
                {[key.aliases?.map((alias) => alias.aliasName).join(', '), key.keyMetadata?.keyUsage, key.keyMetadata?.description]
                  .filter(Boolean)
                  .join(' · ')}
              </option>
            ))}
          </datalist>
          {chosen?.keyMetadata && (
            <p className="hint">
              {chosen.keyMetadata.keyUsage}, {chosen.keyMetadata.keyState}
            </p>
          )}
        </div>
        {keys.error && <p className="hint">No key suggestions: {keys.error}</p>}
        <ContextRows legend="Encryption context" rows={context} onChange={setContext} idPrefix="playground-context" />
      </div>
      <div className="grid-2">
        <EncryptDecrypt keyId={keyId.trim()} context={toStringMap(context)} />
        <SignVerify keyId={keyId.trim()} suggested={chosen?.keyMetadata?.signingAlgorithms ?? null} />
        <DataKey keyId={keyId.trim()} context={toStringMap(context)} />
      </div>
    </section>
  );
}

function EncryptDecrypt({ keyId, context }: { keyId: string; context: Record<string, string> | null }) {
  const [plaintext, setPlaintext] = useState('');
  const [ciphertext, setCiphertext] = useState('');
  const [decrypted, setDecrypted] = useState<string | null>(null);
  const action = useAction();

  const encrypt = async (event: FormEvent) => {
    event.preventDefault();
    const result = await action.run(
      'Encrypting…',
      () => request(Encrypt, { input: { keyId, plaintext: textToBase64(plaintext), encryptionContext: context } }),
      'Encrypted.',
    );
    if (result?.encrypt) setCiphertext(result.encrypt.ciphertextBlob);
  };

  const decrypt = async () => {
    const result = await action.run(
      'Decrypting…',
      () => request(Decrypt, { input: { ciphertextBlob: ciphertext.trim(), encryptionContext: context, keyId: keyId || null } }),
      'Decrypted.',
    );
    if (result?.decrypt) {
      const text = base64ToText(result.decrypt.plaintext);
      setDecrypted(text ?? `(not UTF-8 text) base64: ${result.decrypt.plaintext}`);
    }
  };

  return (
    <form className="card form" onSubmit={encrypt} aria-labelledby="encrypt-title">
      <h2 id="encrypt-title">Encrypt and decrypt</h2>
      <label htmlFor="playground-plaintext">Plaintext</label>
      <textarea id="playground-plaintext" rows={3} value={plaintext} onChange={(event) => setPlaintext(event.target.value)} />
      <div className="actions">
        <Button type="submit" variant="primary" busy={action.busy}>
          Encrypt
        </Button>
      </div>
      <label htmlFor="playground-ciphertext">Ciphertext (base64)</label>
      <textarea
        id="playground-ciphertext"
        rows={4}
        className="mono"
        spellCheck={false}
        value={ciphertext}
        onChange={(event) => setCiphertext(event.target.value)}
      />
      <div className="actions">
        <Button onClick={decrypt} busy={action.busy} disabled={ciphertext.trim() === ''}>
          Decrypt
        </Button>
      </div>
      {decrypted !== null && (
        <>
          <label htmlFor="playground-decrypted">Decrypted plaintext</label>
          <output id="playground-decrypted" className="output">
            {decrypted}
          </output>
        </>
      )}
      <Status action={action} />
    </form>
  );
}

function SignVerify({ keyId, suggested }: { keyId: string; suggested: SigningAlgorithmSpec[] | null }) {
  const [message, setMessage] = useState('');
  const [algorithm, setAlgorithm] = useState<SigningAlgorithmSpec>('ECDSA_SHA_256');
  const [signature, setSignature] = useState('');
  const [verdict, setVerdict] = useState<string | null>(null);
  const action = useAction();
  const offered = suggested && suggested.length > 0 ? suggested : SIGNING_ALGORITHMS;
  const chosen = offered.includes(algorithm) ? algorithm : offered[0];

  const sign = async (event: FormEvent) => {
    event.preventDefault();
    setVerdict(null);
    const result = await action.run(
      'Signing…',
      () => request(Sign, { input: { keyId, message: textToBase64(message), signingAlgorithm: chosen } }),
      'Signed.',
    );
    if (result?.sign) setSignature(result.sign.signature);
  };

  const verify = async () => {
    setVerdict(null);
    const result = await action.run(
      'Verifying…',
      () =>
        request(Verify, {
          input: { keyId, message: textToBase64(message), signature: signature.trim(), signingAlgorithm: chosen },
        }),
      (value) => (value.verify?.signatureValid ? 'The signature is valid.' : 'The signature is not valid.'),
    );
    if (result?.verify) setVerdict(result.verify.signatureValid ? 'Valid' : 'Not valid');
  };

  return (
    <form className="card form" onSubmit={sign} aria-labelledby="sign-title">
      <h2 id="sign-title">Sign and verify</h2>
      <label htmlFor="playground-message">Message</label>
      <textarea id="playground-message" rows={3} value={message} onChange={(event) => setMessage(event.target.value)} />
      <label htmlFor="playground-algorithm">Signing algorithm</label>
      <select id="playground-algorithm" value={chosen} onChange={(event) => setAlgorithm(event.target.value as SigningAlgorithmSpec)}>
        {offered.map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </select>
      <div className="actions">
        <Button type="submit" variant="primary" busy={action.busy}>
          Sign
        </Button>
      </div>
      <label htmlFor="playground-signature">Signature (base64)</label>
      <textarea
        id="playground-signature"
        rows={4}
        className="mono"
        spellCheck={false}
        value={signature}
        onChange={(event) => setSignature(event.target.value)}
      />
      <div className="actions">
        <Button onClick={verify} busy={action.busy} disabled={signature.trim() === ''}>
          Verify
        </Button>
      </div>
      {verdict && <p className={verdict === 'Valid' ? 'ok' : 'error'}>Signature: {verdict}</p>}
      <Status action={action} />
    </form>
  );
}

function DataKey({ keyId, context }: { keyId: string; context: Record<string, string> | null }) {
  const [spec, setSpec] = useState<DataKeySpec>('AES_256');
  const [result, setResult] = useState<{ plaintext: string; ciphertextBlob: string } | null>(null);
  const action = useAction();

  const generate = async (event: FormEvent) => {
    event.preventDefault();
    const answer = await action.run(
      'Generating a data key…',
      () => request(GenerateDataKey, { input: { keyId, keySpec: spec, encryptionContext: context } }),
      'Data key generated.',
    );
    if (answer?.generateDataKey) setResult(answer.generateDataKey);
  };

  return (
    <form className="card form" onSubmit={generate} aria-labelledby="datakey-title">
      <h2 id="datakey-title">Generate a data key</h2>
      <label htmlFor="playground-datakey-spec">Data key spec</label>
      <select id="playground-datakey-spec" value={spec} onChange={(event) => setSpec(event.target.value as DataKeySpec)}>
        <option value="AES_256">AES_256</option>
        <option value="AES_128">AES_128</option>
      </select>
      <div className="actions">
        <Button type="submit" variant="primary" busy={action.busy}>
          Generate data key
        </Button>
      </div>
      {result && (
        <>
          <label htmlFor="playground-datakey-plaintext">Plaintext data key (base64)</label>
          <output id="playground-datakey-plaintext" className="output mono">
            {result.plaintext}
          </output>
          <label htmlFor="playground-datakey-ciphertext">Encrypted data key (base64)</label>
          <output id="playground-datakey-ciphertext" className="output mono">
            {result.ciphertextBlob}
          </output>
        </>
      )}
      <Status action={action} />
    </form>
  );
}
