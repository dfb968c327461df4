/**
 * Where in a policy's text a problem is: keygraph names a statement by its index (a refusal's
 * extensions.statementIndex, a PolicyWarning's statementIndex) or a JSON syntax error by line and
 * column; the editor needs the line. jsonc-parser reads the text as typed, positions included.
 */
import { findNodeAtLocation, parse, parseTree, printParseErrorCode, type ParseError } from 'jsonc-parser';

/** The 1-based line of a character offset. */
export function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i += 1) if (text.charCodeAt(i) === 10) line += 1;
  return line;
}

/** The 1-based line where statement `index` starts, or null when the text has no such statement. */
export function statementLine(text: string, index: number): number | null {
  const root = parseTree(text);
  if (!root) return null;
  const statements = findNodeAtLocation(root, ['Statement']);
  if (!statements) return null;
  // A policy may hold a single statement object instead of an array: that one is index 0.
  const node = statements.type === 'array' ? findNodeAtLocation(statements, [index]) : index === 0 ? statements : undefined;
  return node ? lineOf(text, node.offset) : null;
}

/** The first JSON syntax error of the text, as a line and a message, or null when it parses. */
export function syntaxError(text: string): { line: number; column: number; message: string } | null {
  const errors: ParseError[] = [];
  parse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  if (errors.length === 0) return null;
  const first = errors[0];
  const line = lineOf(text, first.offset);
  const lineStart = text.lastIndexOf('\n', first.offset - 1) + 1;
  return { line, column: first.offset - lineStart + 1, message: printParseErrorCode(first.error) };
}

/** The character range of a 1-based line, to select it. */
export function lineRange(text: string, line: number): [number, number] {
  let start = 0;
  for (let current = 1; current < line; current += 1) {
    const next = text.indexOf('\n', start);
    if (next === -1) break;
    start = next + 1;
  }
  const end = text.indexOf('\n', start);
  return [start, end === -1 ? text.length : end];
}

/** A stored policy laid out one member per line, so that lines mean something; the text as it is when it is not JSON. */
export function readable(policy: string): string {
  try {
    return JSON.stringify(JSON.parse(policy), null, 2);
  } catch {
    return policy;
  }
}
