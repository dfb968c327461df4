import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents from keygraph's own schema file: every `graphql(...)` call under src/ is checked
 * against ../schema/schema.graphql, so a document that no longer matches the schema fails the build.
 * Documents are plain strings (no GraphQL parser shipped to the browser).
 */
const config: CodegenConfig = {
  schema: '../schema/schema.graphql',
  documents: ['src/**/*.{ts,tsx}', '!src/gql/**/*'],
  ignoreNoDocuments: false,
  errorsOnly: true,
  generates: {
    'src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        documentMode: 'string',
        enumsAsTypes: true,
        useTypeImports: true,
        skipTypename: true,
        strictScalars: true,
        scalars: {
          DateTime: 'string',
          Base64: 'string',
          StringMap: 'Record<string, string>',
        },
      },
    },
  },
};

export default config;
