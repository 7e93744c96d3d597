package schema

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// MaxDepth is how deeply type constructors (list, set, map, tuple, vector) may nest. frozen<>
// does not count as a level, since the normal form adds and removes frozen<> wrappers, but at most
// 2*(MaxDepth+1) types and frozen<> wrappers may be nested in all, so that the normal form of any
// accepted type is accepted too.
const MaxDepth = 64

const maxNesting = 2 * (MaxDepth + 1)

// ParseType parses CQL type text such as "MAP<text, frozen<list<int>>>" into a [Type], applying
// Cassandra's implicit freezing and validity rules (see the package documentation). The error is a
// *[ParseError] naming the problem.
func ParseType(text string) (Type, error) {
	if strings.Trim(text, " \t\r\n") == "" {
		return Type{}, &ParseError{Input: text, Offset: -1, Msg: "empty type"}
	}
	toks, lexErr := lex(text)
	if lexErr != nil {
		return Type{}, lexErr
	}
	p := &parser{input: text, toks: toks}
	t, err := p.parseType(0)
	if err != nil {
		return Type{}, err
	}
	if tok := p.peek(); tok.kind != tokEOF {
		if tok.kind == tokGT {
			return Type{}, p.errAt(tok, "unbalanced '>': no '<' is open")
		}
		return Type{}, p.errAt(tok, "unexpected %s after the type", tok.describe())
	}
	if msg := validate(t); msg != "" {
		return Type{}, &ParseError{Input: text, Offset: -1, Msg: msg}
	}
	return t, nil
}

// Normalize returns the normal form of CQL type text: the text Cassandra 5.0 reports for that type
// in system_schema.columns.type. Normalize("MAP<varchar, frozen<LIST<int>>>") is
// "map<text, frozen<list<int>>>".
func Normalize(text string) (string, error) {
	t, err := ParseType(text)
	if err != nil {
		return "", err
	}
	return t.String(), nil
}

type parser struct {
	input string
	toks  []token
	i     int
	open  int // '<' not yet closed
	calls int // parseType calls under way: types and frozen<> wrappers nested so far
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

func (p *parser) errAt(t token, format string, args ...any) *ParseError {
	msg := fmt.Sprintf(format, args...)
	if t.kind == tokEOF && p.open > 0 {
		msg = "unbalanced '<': the text ends before its closing '>'"
	}
	return &ParseError{Input: p.input, Offset: t.pos, Msg: msg}
}

func (p *parser) parseType(depth int) (Type, *ParseError) {
	tok := p.next()
	if depth > MaxDepth {
		return Type{}, p.errAt(tok, "type nests more than %d levels deep", MaxDepth)
	}
	p.calls++
	defer func() { p.calls-- }()
	if p.calls > maxNesting {
		return Type{}, p.errAt(tok, "type nests more than %d types and frozen<> wrappers deep", maxNesting)
	}
	switch tok.kind {
	case tokIdent:
		if p.peek().kind == tokDot {
			return p.parseQualifiedUDT(tok)
		}
		if name, ok := nativeTypes[tok.text]; ok {
			if p.peek().kind == tokLT {
				return Type{}, p.errAt(p.peek(), "%s takes no type parameters", name)
			}
			return Type{Kind: KindNative, Name: name}, nil
		}
		if paramKeywords[tok.text] {
			return p.parseParameterized(tok, depth)
		}
		return p.udt(tok, "")
	case tokQuoted:
		if p.peek().kind == tokDot {
			return p.parseQualifiedUDT(tok)
		}
		return p.udt(tok, "")
	case tokString:
		return Type{}, p.errAt(tok, "custom types given as a Java class name (%s) are not supported: use the CQL type", tok.text)
	}
	return Type{}, p.errAt(tok, "expected a type, found %s", tok.describe())
}

// parseQualifiedUDT parses keyspace.name, the keyspace token already read.
func (p *parser) parseQualifiedUDT(ks token) (Type, *ParseError) {
	if ks.kind == tokIdent && reservedKeywords[ks.text] {
		return Type{}, p.errAt(ks, "%q is a reserved CQL keyword: quote it to use it as a keyspace name", ks.text)
	}
	p.next() // '.'
	name := p.next()
	if name.kind != tokIdent && name.kind != tokQuoted {
		return Type{}, p.errAt(name, "expected a user-defined type name after %q, found %s", ks.text+".", name.describe())
	}
	return p.udt(name, ks.text)
}

// udt builds a user-defined type reference, rejecting names that Cassandra would not read back.
func (p *parser) udt(name token, keyspace string) (Type, *ParseError) {
	if name.kind == tokIdent {
		if reservedKeywords[name.text] {
			return Type{}, p.errAt(name, "%q is a reserved CQL keyword: quote it to use it as a user-defined type name", name.text)
		}
		if paramKeywords[name.text] {
			return Type{}, p.errAt(name, "%s needs type parameters: %s", name.text, usage[name.text])
		}
	}
	if isTypeKeyword(name.text) {
		return Type{}, p.errAt(name, "%q is a CQL type name and cannot name a user-defined type", name.text)
	}
	if reservedTypeNames[name.text] {
		return Type{}, p.errAt(name, "%q is a reserved type name in CQL and cannot name a user-defined type", name.text)
	}
	if p.peek().kind == tokLT {
		return Type{}, p.errAt(p.peek(), "user-defined type %s takes no type parameters", maybeQuote(name.text))
	}
	return Type{Kind: KindUDT, Name: name.text, Keyspace: keyspace}, nil
}

// paramCounts is how many type parameters each keyword takes (tuple takes one or more).
var paramCounts = map[string]int{"list": 1, "set": 1, "map": 2, "frozen": 1}

// usage shows how each parameterised type is written, for error messages.
var usage = map[string]string{
	"list":   "list<T>",
	"set":    "set<T>",
	"map":    "map<K, V>",
	"tuple":  "tuple<T1, T2, ...>",
	"frozen": "frozen<T>",
	"vector": "vector<T, N>",
}

// parseParameterized parses list, set, map, tuple, frozen and vector, the keyword already read.
func (p *parser) parseParameterized(kw token, depth int) (Type, *ParseError) {
	open := p.next()
	if open.kind != tokLT {
		return Type{}, p.errAt(open, "%s needs type parameters: %s", kw.text, usage[kw.text])
	}
	p.open++
	if kw.text == "vector" {
		return p.parseVector(depth)
	}
	var params []Type
	if p.peek().kind == tokGT {
		return Type{}, p.errAt(p.peek(), "%s needs type parameters: %s", kw.text, usage[kw.text])
	}
	level := depth + 1
	if kw.text == "frozen" {
		level = depth
	}
	for {
		t, err := p.parseType(level)
		if err != nil {
			return Type{}, err
		}
		params = append(params, t)
		sep := p.next()
		if sep.kind == tokGT {
			break
		}
		if sep.kind != tokComma {
			return Type{}, p.errAt(sep, "expected ',' or '>' after a type parameter of %s, found %s", kw.text, sep.describe())
		}
	}
	p.open--

	if want := paramCounts[kw.text]; want > 0 && len(params) != want {
		noun := "type parameter"
		if want > 1 {
			noun += "s"
		}
		return Type{}, p.errAt(open, "%s takes %d %s (%s), got %d", kw.text, want, noun, usage[kw.text], len(params))
	}

	switch kw.text {
	case "list":
		return Type{Kind: KindList, Name: "list", Params: params}, nil
	case "set":
		return Type{Kind: KindSet, Name: "set", Params: params}, nil
	case "map":
		return Type{Kind: KindMap, Name: "map", Params: params}, nil
	case "tuple":
		for i := range params {
			params[i] = freeze(params[i])
		}
		return Type{Kind: KindTuple, Name: "tuple", Params: params, Frozen: true}, nil
	default: // frozen
		inner := params[0]
		if inner.Kind == KindNative {
			return Type{}, p.errAt(kw, "frozen<> is only allowed on collections, tuples, user-defined types and vectors (got %s)", inner.Name)
		}
		return freeze(inner), nil
	}
}

// parseVector parses the rest of vector<T, N> after '<'.
func (p *parser) parseVector(depth int) (Type, *ParseError) {
	if p.peek().kind == tokGT {
		return Type{}, p.errAt(p.peek(), "vector needs an element type and a dimension: %s", usage["vector"])
	}
	elem, err := p.parseType(depth + 1)
	if err != nil {
		return Type{}, err
	}
	if sep := p.next(); sep.kind != tokComma {
		if sep.kind == tokGT {
			return Type{}, p.errAt(sep, "vector needs a dimension after its element type: %s", usage["vector"])
		}
		return Type{}, p.errAt(sep, "expected ',' and a dimension after the element type of vector, found %s", sep.describe())
	}
	dimTok := p.next()
	if dimTok.kind != tokNumber || !isIntegerText(dimTok.text) {
		return Type{}, p.errAt(dimTok, "vector dimension must be a positive integer, found %s", dimTok.describe())
	}
	dim, convErr := strconv.ParseInt(dimTok.text, 10, 64)
	if convErr != nil || dim <= 0 || dim > math.MaxInt32 {
		return Type{}, p.errAt(dimTok, "vector dimension must be a positive integer no larger than %d, got %s", math.MaxInt32, dimTok.text)
	}
	if end := p.next(); end.kind != tokGT {
		if end.kind == tokComma {
			return Type{}, p.errAt(end, "vector takes an element type and a dimension (%s), got more parameters", usage["vector"])
		}
		return Type{}, p.errAt(end, "expected '>' after the dimension of vector, found %s", end.describe())
	}
	p.open--
	return Type{Kind: KindVector, Name: "vector", Params: []Type{elem}, Frozen: true, VectorDim: int(dim)}, nil
}

// isIntegerText reports whether s is an INTEGER token of the CQL lexer: '-'? DIGIT+.
func isIntegerText(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}
