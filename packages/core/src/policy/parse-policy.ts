// Reading a policy from text: strict JSON (no comments, no trailing commas, no duplicate
// keys), with every error placed at its line and column as well as its JSON path.
import { findNodeAtLocation, getNodeValue, type Node, type ParseError, parseTree, printParseErrorCode } from "jsonc-parser";
import { formatPath, type PathSegment, type PolicyError, type PolicyResult, validatePolicy } from "./validate-policy.js";

const SYNTAX_MESSAGES: Record<string, string> = {
  InvalidSymbol: "unexpected character",
  InvalidNumberFormat: "invalid number",
  PropertyNameExpected: "expected a property name in double quotes",
  ValueExpected: "expected a value",
  ColonExpected: "expected ':'",
  CommaExpected: "expected ',' (or the end of the object or array)",
  CloseBraceExpected: "expected '}'",
  CloseBracketExpected: "expected ']'",
  EndOfFileExpected: "unexpected text after the end of the document",
  InvalidCommentToken: "comments are not allowed in JSON",
  UnexpectedEndOfComment: "unterminated comment",
  UnexpectedEndOfString: "unterminated string",
  UnexpectedEndOfNumber: "unterminated number",
  InvalidUnicode: "invalid \\u escape",
  InvalidEscapeCharacter: "invalid escape character",
  InvalidCharacter: "control character in a string",
};

/** Parses and validates a policy file's text. */
export function parsePolicyText(text: string): PolicyResult {
  if (typeof text !== "string")
    return { ok: false, errors: [{ code: "syntax", path: "", segments: [], message: "the policy is not text" }] };
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  // Positions count from after a byte-order mark, as editors show them.
  const lines = lineStarts(body);

  const syntax: ParseError[] = [];
  const root = parseTree(body, syntax, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  if (syntax.length > 0 || root === undefined) {
    // The first syntax error is the real one; the parser's later complaints follow from it.
    const errors = syntax.slice(0, 1).map((error) =>
      at(lines, error.offset, {
        code: "syntax",
        path: "",
        segments: [],
        message: `invalid JSON: ${SYNTAX_MESSAGES[printParseErrorCode(error.error)] ?? printParseErrorCode(error.error)}`,
      }),
    );
    if (errors.length === 0) errors.push({ code: "syntax", path: "", segments: [], message: "invalid JSON: the document is empty" });
    return { ok: false, errors };
  }

  const duplicates = duplicateKeys(root).map(({ node, segments }) =>
    at(lines, node.offset, {
      code: "duplicate-key",
      path: formatPath(segments),
      segments,
      message: `duplicate key "${String(segments[segments.length - 1])}": JSON parsers disagree on which value wins`,
    }),
  );

  const result = validatePolicy(getNodeValue(root));
  if (result.ok && duplicates.length === 0) return result;
  const errors = result.ok ? [] : result.errors.map((error) => locate(root, lines, error));
  return { ok: false, errors: [...duplicates, ...errors].sort(byPosition) };
}

function locate(root: Node, lines: number[], error: PolicyError): PolicyError {
  // Walk up the path until a node exists: a missing field is reported where its object is.
  for (let depth = error.segments.length; depth >= 0; depth--) {
    const node = findNodeAtLocation(root, error.segments.slice(0, depth));
    if (node !== undefined) {
      // An unknown key is best shown at the key itself, other mistakes at the value.
      const target = error.code === "unknown-field" && node.parent?.type === "property" ? node.parent : node;
      return at(lines, target.offset, error);
    }
  }
  return error;
}

function duplicateKeys(root: Node): { node: Node; segments: PathSegment[] }[] {
  const found: { node: Node; segments: PathSegment[] }[] = [];
  const walk = (node: Node, segments: PathSegment[]): void => {
    if (node.type === "object") {
      const seen = new Set<string>();
      for (const property of node.children ?? []) {
        const [keyNode, valueNode] = property.children ?? [];
        if (keyNode === undefined) continue;
        const key = String(keyNode.value);
        if (seen.has(key)) found.push({ node: property, segments: [...segments, key] });
        seen.add(key);
        if (valueNode !== undefined) walk(valueNode, [...segments, key]);
      }
    } else if (node.type === "array") {
      (node.children ?? []).forEach((child, index) => walk(child, [...segments, index]));
    }
  };
  walk(root, []);
  return found;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

function at(lines: number[], offset: number, error: PolicyError): PolicyError {
  let low = 0;
  let high = lines.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if ((lines[mid] ?? 0) <= offset) low = mid;
    else high = mid - 1;
  }
  return { ...error, line: low + 1, column: offset - (lines[low] ?? 0) + 1 };
}

function byPosition(a: PolicyError, b: PolicyError): number {
  return (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);
}
