package schema

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

type tokKind uint8

const (
	tokEOF    tokKind = iota
	tokIdent          // unquoted identifier or keyword, folded to lower case
	tokQuoted         // "quoted name", unescaped
	tokNumber         // a number-like run: digits with an optional leading '-' and anything glued to them
	tokString         // 'string literal' or $$string$$ (a custom type class name)
	tokLT             // <
	tokGT             // >
	tokComma          // ,
	tokDot            // .
)

type token struct {
	kind tokKind
	text string // identifier (folded), quoted name (unescaped), number or string as written
	pos  int    // byte offset in the input
}

// describe names a token for error messages.
func (t token) describe() string {
	switch t.kind {
	case tokEOF:
		return "end of input"
	case tokQuoted:
		return fmt.Sprintf("%q", `"`+strings.ReplaceAll(t.text, `"`, `""`)+`"`)
	case tokString:
		return "string literal " + t.text
	}
	return fmt.Sprintf("%q", t.text)
}

// lex splits CQL type text into tokens, following Cassandra's Lexer.g for the tokens a type can
// contain: IDENT is [A-Za-z][A-Za-z0-9_]* and case-insensitive, QUOTED_NAME is '"' (~'"' | '""')+
// '"', INTEGER is '-'? DIGIT+, and whitespace is space, tab, CR and LF.
func lex(input string) ([]token, *ParseError) {
	fail := func(pos int, format string, args ...any) ([]token, *ParseError) {
		return nil, &ParseError{Input: input, Offset: pos, Msg: fmt.Sprintf(format, args...)}
	}
	if !utf8.ValidString(input) {
		return fail(-1, "text is not valid UTF-8")
	}
	var toks []token
	for i := 0; i < len(input); {
		c := input[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case isLetter(c):
			j := i + 1
			for j < len(input) && (isLetter(input[j]) || isDigit(input[j]) || input[j] == '_') {
				j++
			}
			toks = append(toks, token{tokIdent, strings.ToLower(input[i:j]), i})
			i = j
		case c == '"':
			var b strings.Builder
			j := i + 1
			for {
				if j >= len(input) {
					return fail(i, "unterminated quoted name: missing closing '\"'")
				}
				if input[j] == '"' {
					if j+1 < len(input) && input[j+1] == '"' {
						b.WriteByte('"')
						j += 2
						continue
					}
					break
				}
				b.WriteByte(input[j])
				j++
			}
			if b.Len() == 0 {
				return fail(i, `empty quoted name ""`)
			}
			toks = append(toks, token{tokQuoted, b.String(), i})
			i = j + 1
		case c == '\'':
			j := i + 1
			for {
				if j >= len(input) {
					return fail(i, "unterminated string literal: missing closing \"'\"")
				}
				if input[j] == '\'' {
					if j+1 < len(input) && input[j+1] == '\'' {
						j += 2
						continue
					}
					break
				}
				j++
			}
			toks = append(toks, token{tokString, input[i : j+1], i})
			i = j + 1
		case c == '$' && strings.HasPrefix(input[i:], "$$"):
			end := strings.Index(input[i+2:], "$$")
			if end < 0 {
				return fail(i, "unterminated string literal: missing closing '$$'")
			}
			j := i + 2 + end + 2
			toks = append(toks, token{tokString, input[i:j], i})
			i = j
		case isDigit(c) || (c == '-' && i+1 < len(input) && isDigit(input[i+1])):
			j := i + 1
			for j < len(input) && (isLetter(input[j]) || isDigit(input[j]) || input[j] == '_' || input[j] == '.') {
				j++
			}
			toks = append(toks, token{tokNumber, input[i:j], i})
			i = j
		case c == '<':
			toks = append(toks, token{tokLT, "<", i})
			i++
		case c == '>':
			toks = append(toks, token{tokGT, ">", i})
			i++
		case c == ',':
			toks = append(toks, token{tokComma, ",", i})
			i++
		case c == '.':
			toks = append(toks, token{tokDot, ".", i})
			i++
		default:
			r, _ := utf8.DecodeRuneInString(input[i:])
			return fail(i, "unexpected character %q", r)
		}
	}
	return append(toks, token{tokEOF, "", len(input)}), nil
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
