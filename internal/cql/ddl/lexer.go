package ddl

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

type tokKind uint8

const (
	tokEOF    tokKind = iota
	tokIdent          // unquoted identifier or keyword, as written (compare with lower())
	tokQuoted         // "quoted name", unescaped
	tokString         // 'string literal' or $$string$$, unescaped
	tokNumber         // a run starting with a digit: integer, float, duration, hex, uuid, as written
	tokPunct          // one character of punctuation: ( ) < > , . ; = { } : [ ] - + ...
	tokError          // a lexical error; text is the message
)

// token is one lexical token of CQL text.
type token struct {
	kind tokKind
	text string
	pos  int // byte offset of the token's first character
	end  int // byte offset just after the token
	line int // 1-based line of the token's first character
}

// lower is the identifier as Cassandra reads it unquoted: folded to lower case.
func (t token) lower() string { return strings.ToLower(t.text) }

// is reports whether t is the punctuation p.
func (t token) is(p string) bool { return t.kind == tokPunct && t.text == p }

// isKeyword reports whether t is the unquoted keyword kw (lower case), in any case.
func (t token) isKeyword(kw string) bool { return t.kind == tokIdent && strings.EqualFold(t.text, kw) }

// describe names a token in error messages.
func (t token) describe() string {
	switch t.kind {
	case tokEOF:
		return "the end of the statement"
	case tokQuoted:
		return `"` + strings.ReplaceAll(t.text, `"`, `""`) + `"`
	case tokString:
		return "'" + strings.ReplaceAll(truncate(t.text, 40), "'", "''") + "'"
	case tokError:
		return t.text
	}
	return fmt.Sprintf("%q", truncate(t.text, 40))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}

// lex splits CQL text into tokens, dropping whitespace and comments. It follows Cassandra's
// Lexer.g for what matters to DDL: an IDENT is [A-Za-z][A-Za-z0-9_]*; a QUOTED_NAME is in double
// quotes and a STRING_LITERAL in single quotes, a quote inside either written twice; a string may
// also be $$...$$; comments run from -- or // to the end of the line, or from /* to */ (not
// nested).
//
// lex never fails: a lexical problem becomes a tokError token, so that only the statement holding
// it is lost. After an unterminated string or quoted name, the statement ends with its line and
// lexing resumes on the next one (see recover); an unterminated comment runs to the end.
func lex(src string) []token {
	l := &lexer{src: src, line: 1}
	for l.i < len(src) {
		l.next()
	}
	return append(l.toks, token{kind: tokEOF, pos: len(src), end: len(src), line: l.line})
}

type lexer struct {
	src  string
	i    int
	line int
	toks []token
}

// emit adds a token spanning src[pos:end], on the current line: call it before advance.
func (l *lexer) emit(kind tokKind, text string, pos, end int) {
	l.toks = append(l.toks, token{kind: kind, text: text, pos: pos, end: end, line: l.line})
}

// advance moves to offset j, counting the newlines passed.
func (l *lexer) advance(j int) {
	l.line += strings.Count(l.src[l.i:j], "\n")
	l.i = j
}

// recover skips to the start of the line after the one holding offset from, and ends the
// statement there: the ';' that ended it, if any, was probably swallowed by what could not be
// lexed, and the next line is the best guess at where a statement starts again.
func (l *lexer) recover(from int) {
	end := len(l.src)
	if nl := strings.IndexByte(l.src[from:], '\n'); nl >= 0 {
		end = from + nl
	}
	l.emit(tokPunct, ";", end, end)
	l.advance(min(end+1, len(l.src)))
}

func (l *lexer) next() {
	src, i := l.src, l.i
	c := src[i]
	switch {
	case c == '\n' || c == ' ' || c == '\t' || c == '\r' || c == '\f':
		l.advance(i + 1)
	case c == '-' && strings.HasPrefix(src[i:], "--"), c == '/' && strings.HasPrefix(src[i:], "//"):
		end := strings.IndexByte(src[i:], '\n')
		if end < 0 {
			l.advance(len(src))
		} else {
			l.advance(i + end)
		}
	case c == '/' && strings.HasPrefix(src[i:], "/*"):
		end := strings.Index(src[i+2:], "*/")
		if end < 0 {
			l.emit(tokError, "unterminated comment: '/*' without '*/'", i, len(src))
			l.advance(len(src))
			return
		}
		l.advance(i + 2 + end + 2)
	case isLetter(c):
		j := i + 1
		for j < len(src) && (isLetter(src[j]) || isDigit(src[j]) || src[j] == '_') {
			j++
		}
		l.emit(tokIdent, src[i:j], i, j)
		l.advance(j)
	case isDigit(c):
		j := l.numberEnd(i)
		l.emit(tokNumber, src[i:j], i, j)
		l.advance(j)
	case c == '"':
		l.quoted(i, '"', tokQuoted, "quoted name")
	case c == '\'':
		l.quoted(i, '\'', tokString, "string literal")
	case c == '$' && strings.HasPrefix(src[i:], "$$"):
		end := strings.Index(src[i+2:], "$$")
		if end < 0 {
			l.emit(tokError, "unterminated string literal: '$$' without closing '$$'", i, i+2)
			l.recover(i)
			return
		}
		body := src[i+2 : i+2+end]
		if !utf8.ValidString(body) {
			l.emit(tokError, "invalid UTF-8 in a string literal", i, i+2+end+2)
		} else {
			l.emit(tokString, body, i, i+2+end+2)
		}
		l.advance(i + 2 + end + 2)
	default:
		r, size := utf8.DecodeRuneInString(src[i:])
		if r == utf8.RuneError && size <= 1 {
			l.emit(tokError, "invalid UTF-8", i, i+size)
		} else {
			l.emit(tokPunct, src[i:i+size], i, i+size)
		}
		l.advance(i + size)
	}
}

// numberEnd returns the end of the number-like run starting at i: letters, digits, '_' and '.',
// and a '-' or '+' that continues it (the sign of an exponent, the dashes of a uuid such as
// 89f47aa0-ec22-...). Its meaning (integer, float, hex, duration, uuid) is left to the parser.
func (l *lexer) numberEnd(i int) int {
	src := l.src
	j := i + 1
	for j < len(src) {
		c := src[j]
		switch {
		case isLetter(c) || isDigit(c) || c == '_' || c == '.':
			j++
		case (c == '-' || c == '+') && j+1 < len(src) && (isLetter(src[j+1]) || isDigit(src[j+1])):
			j++
		default:
			return j
		}
	}
	return j
}

// quoted reads a quoted name or string literal starting at i, where a doubled quote stands for
// one.
func (l *lexer) quoted(i int, q byte, kind tokKind, what string) {
	src := l.src
	var b strings.Builder
	j := i + 1
	for {
		if j >= len(src) {
			l.emit(tokError, fmt.Sprintf("unterminated %s: missing closing %c", what, q), i, i+1)
			l.recover(i)
			return
		}
		if src[j] == q {
			if j+1 < len(src) && src[j+1] == q {
				b.WriteByte(q)
				j += 2
				continue
			}
			break
		}
		b.WriteByte(src[j])
		j++
	}
	if !utf8.ValidString(b.String()) {
		l.emit(tokError, "invalid UTF-8 in a "+what, i, j+1)
	} else {
		l.emit(kind, b.String(), i, j+1)
	}
	l.advance(j + 1)
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
