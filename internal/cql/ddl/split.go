package ddl

// statement is one ';'-terminated statement of the text: its tokens (without the ';'), ending
// with a tokEOF token placed where the statement ends, and where it is in the source.
type statement struct {
	toks  []token
	start int // byte offset of the first token
	end   int // byte offset of the terminating ';', or the end of the text
	line  int // line of the first token
}

// text is the statement's source, comments inside it included, without the ';'.
func (s statement) text(src string) string { return src[s.start:s.end] }

// splitStatements cuts the tokens of src into statements at each ';' token. A ';' inside a
// string literal, quoted name or comment is part of that token, not a separator. Empty statements
// (";;") are dropped.
func splitStatements(src string) []statement {
	toks := lex(src)
	var out []statement
	var cur []token
	for _, t := range toks {
		if t.kind == tokEOF || t.is(";") {
			if len(cur) > 0 {
				out = append(out, statement{
					toks:  append(cur, token{kind: tokEOF, pos: t.pos, end: t.pos, line: t.line}),
					start: cur[0].pos,
					end:   t.pos,
					line:  cur[0].line,
				})
			}
			cur = nil
			continue
		}
		cur = append(cur, t)
	}
	return out
}
