package backfill

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"testing"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
)

// lp is an int32 length and the bytes (a negative length for nil: null).
func lp(b []byte) []byte {
	if b == nil {
		return binary.BigEndian.AppendUint32(nil, math.MaxUint32) // -1
	}
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(b))), b...)
}

func be32(v int32) []byte { return binary.BigEndian.AppendUint32(nil, uint32(v)) }
func be64(v int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(v)) }

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// listOf serializes parts as a list (or set) the way the protocol does: a count, then each
// element length-prefixed.
func listOf(parts ...[]byte) []byte {
	out := be32(int32(len(parts)))
	for _, p := range parts {
		out = append(out, lp(p)...)
	}
	return out
}

func TestElementsAndCollectionRoundTrip(t *testing.T) {
	set := [][]byte{[]byte("a"), []byte("bb"), {}}
	b := collection(set, 1)
	want := cat(be32(3), be32(1), []byte("a"), be32(2), []byte("bb"), be32(0))
	if !bytes.Equal(b, want) {
		t.Fatalf("collection(set) = %x, want %x", b, want)
	}
	got, err := elements(b, 1)
	if err != nil || !reflect.DeepEqual(got, set) {
		t.Fatalf("elements(set) = %q, %v; want %q", got, err, set)
	}

	// A map: 2 parts per entry, the count is that of entries.
	m := [][]byte{[]byte("k1"), be32(1), []byte("k2"), be32(-2)}
	b = collection(m, 2)
	want = cat(be32(2), lp([]byte("k1")), lp(be32(1)), lp([]byte("k2")), lp(be32(-2)))
	if !bytes.Equal(b, want) {
		t.Fatalf("collection(map) = %x, want %x", b, want)
	}
	got, err = elements(b, 2)
	if err != nil || !reflect.DeepEqual(got, m) {
		t.Fatalf("elements(map) = %q, %v; want %q", got, err, m)
	}

	empty := collection(nil, 1)
	if !bytes.Equal(empty, be32(0)) {
		t.Errorf("collection(nil) = %x, want 00000000", empty)
	}
	if got, err := elements(empty, 1); err != nil || len(got) != 0 {
		t.Errorf("elements(empty) = %q, %v", got, err)
	}
}

func TestElementsErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		b    []byte
		per  int
	}{
		{"shorter than a count", []byte{0, 0, 1}, 1},
		{"negative count", be32(-1), 1},
		{"count beyond the bytes", cat(be32(3), lp([]byte("a"))), 1},
		{"a map entry without its value", cat(be32(1), lp([]byte("k"))), 2},
		{"a length beyond the bytes", cat(be32(1), be32(5), []byte("abc")), 1},
		{"a truncated length", cat(be32(1), []byte{0, 0}), 1},
		// A huge count must fail, not allocate for it.
		{"a huge count", cat(be32(math.MaxInt32), lp([]byte("a"))), 2},
	} {
		if got, err := elements(c.b, c.per); err == nil {
			t.Errorf("%s: elements(%x) = %q, want an error", c.name, c.b, got)
		}
	}
}

func TestLengthPrefixedNull(t *testing.T) {
	part, rest, err := lengthPrefixed(cat(be32(-1), []byte("xy")))
	if err != nil || part != nil || string(rest) != "xy" {
		t.Errorf("lengthPrefixed(null) = %q, %q, %v; want nil, \"xy\"", part, rest, err)
	}
	part, rest, err = lengthPrefixed(cat(be32(0), []byte("xy")))
	if err != nil || part == nil || len(part) != 0 || string(rest) != "xy" {
		t.Errorf("lengthPrefixed(empty) = %#v, %q, %v; want an empty non-nil value", part, rest, err)
	}
}

func TestUDTFields(t *testing.T) {
	// A value written before the type had its last two fields: they read as null.
	fs, err := udtFields(lp([]byte("street")), 3)
	if err != nil || len(fs) != 3 || string(fs[0]) != "street" || fs[1] != nil || fs[2] != nil {
		t.Errorf("udtFields(1 of 3 fields) = %q, %v; want [street nil nil]", fs, err)
	}
	// A null field (length -1) in the middle.
	fs, err = udtFields(cat(lp([]byte("s")), lp(nil), lp(be32(7))), 3)
	if err != nil || string(fs[0]) != "s" || fs[1] != nil || !bytes.Equal(fs[2], be32(7)) {
		t.Errorf("udtFields(a null field) = %q, %v", fs, err)
	}
	// An empty field is not a null one.
	fs, err = udtFields(cat(lp([]byte{}), lp([]byte("z"))), 2)
	if err != nil || fs[0] == nil || len(fs[0]) != 0 || string(fs[1]) != "z" {
		t.Errorf("udtFields(an empty field) = %#v, %v", fs, err)
	}
	// More fields than the type has: the extra are ignored.
	fs, err = udtFields(cat(lp([]byte("a")), lp([]byte("b"))), 1)
	if err != nil || len(fs) != 1 || string(fs[0]) != "a" {
		t.Errorf("udtFields(2 fields, a type of 1) = %q, %v", fs, err)
	}
	if fs, err := udtFields(cat(be32(9), []byte("ab")), 2); err == nil {
		t.Errorf("udtFields(truncated) = %q, want an error", fs)
	}
	if fs, err := udtFields(nil, 2); err != nil || len(fs) != 2 || fs[0] != nil || fs[1] != nil {
		t.Errorf("udtFields(nil) = %q, %v; want 2 nulls", fs, err)
	}
}

func TestBigintsAndInts(t *testing.T) {
	wts, err := bigints(raw{b: listOf(be64(10), nil, be64(-3), be64(math.MaxInt64))})
	if err != nil || !reflect.DeepEqual(wts, []int64{10, 0, -3, math.MaxInt64}) {
		t.Errorf("bigints(with a null) = %v, %v; want [10 0 -3 MaxInt64]", wts, err)
	}
	ttls, err := ints(raw{b: listOf(nil, be32(500), be32(math.MinInt32))})
	if err != nil || !reflect.DeepEqual(ttls, []int32{0, 500, math.MinInt32}) {
		t.Errorf("ints(with a null) = %v, %v; want [0 500 MinInt32]", ttls, err)
	}
	if wts, err := bigints(raw{null: true}); err != nil || wts != nil {
		t.Errorf("bigints(null) = %v, %v; want nil", wts, err)
	}
	if ttls, err := ints(raw{null: true}); err != nil || ttls != nil {
		t.Errorf("ints(null) = %v, %v; want nil", ttls, err)
	}
	if _, err := bigints(raw{b: listOf(be32(1))}); err == nil {
		t.Errorf("bigints of a 4-byte element: want an error")
	}
	if _, err := ints(raw{b: listOf(be64(1))}); err == nil {
		t.Errorf("ints of an 8-byte element: want an error")
	}
	if _, err := bigints(raw{b: []byte{1}}); err == nil {
		t.Errorf("bigints of a truncated list: want an error")
	}
	if _, err := ints(raw{b: be32(-5)}); err == nil {
		t.Errorf("ints of a negative count: want an error")
	}
}

func TestRawMarshalRoundTrip(t *testing.T) {
	var r raw
	buf := []byte{1, 2, 3}
	if err := r.UnmarshalCQL(nil, buf); err != nil {
		t.Fatal(err)
	}
	buf[0] = 9 // the driver reuses its buffer: raw keeps a copy
	if r.null || !bytes.Equal(r.b, []byte{1, 2, 3}) {
		t.Errorf("UnmarshalCQL kept %v (null %v), want a copy of 010203", r.b, r.null)
	}
	if b, err := r.MarshalCQL(nil); err != nil || !bytes.Equal(b, []byte{1, 2, 3}) {
		t.Errorf("MarshalCQL = %x, %v", b, err)
	}
	if err := r.UnmarshalCQL(nil, nil); err != nil || !r.null || r.b != nil {
		t.Errorf("UnmarshalCQL(nil) = %+v, %v; want null", r, err)
	}
	if b, err := r.MarshalCQL(nil); err != nil || b != nil {
		t.Errorf("MarshalCQL(null) = %x, %v; want nil", b, err)
	}
	// An empty value ('' or an empty blob) is not a null: the driver sends nil bytes as a null,
	// which would write a tombstone (or fail, in a clustering column).
	if err := r.UnmarshalCQL(nil, []byte{}); err != nil || r.null || len(r.b) != 0 {
		t.Errorf("UnmarshalCQL(empty) = %+v, %v; want an empty value, not null", r, err)
	}
	if b, err := r.MarshalCQL(nil); err != nil || b == nil || len(b) != 0 {
		t.Errorf("MarshalCQL(empty) = %#v, %v; want empty, non-nil bytes", b, err)
	}
	if b, err := (raw{}).MarshalCQL(nil); err != nil || b == nil {
		t.Errorf("MarshalCQL(raw{}) = %#v, %v; want empty, non-nil bytes", b, err)
	}
	// Through the driver: the value the query sends is empty, not null.
	if b, err := gocql.Marshal(gocql.NewNativeType(4, gocql.TypeText, ""), r); err != nil || b == nil {
		t.Errorf("gocql.Marshal(empty raw) = %#v, %v; want empty, non-nil bytes", b, err)
	}
}

var cqlTypes = map[string]gocql.Type{
	"tinyint": gocql.TypeTinyInt, "smallint": gocql.TypeSmallInt, "int": gocql.TypeInt, "bigint": gocql.TypeBigInt,
	"varint": gocql.TypeVarint, "float": gocql.TypeFloat, "double": gocql.TypeDouble, "ascii": gocql.TypeAscii, "text": gocql.TypeText,
}

// marshal is the driver's serialization of v as a value of the CQL type typ: the bytes Cassandra
// reads and writes.
func marshal(t *testing.T, typ string, v any) []byte {
	t.Helper()
	b, err := gocql.Marshal(gocql.NewNativeType(4, cqlTypes[typ], ""), v)
	if err != nil {
		t.Fatalf("gocql.Marshal(%s, %v): %v", typ, v, err)
	}
	return b
}

// intValues are interesting values of an integer type of that many bytes: its extremes, those
// around 0 and around each byte boundary that fits.
func intValues(width int) []int64 {
	lo, hi := int64(math.MinInt64)>>(64-8*width), int64(math.MaxInt64)>>(64-8*width)
	vs := []int64{lo, lo + 1, -1, 0, 1, hi - 1, hi}
	for _, v := range []int64{127, 128, 255, 256, -128, -129, -256, -257, 32767, 32768, -32768, -32769, 1 << 31, -(1 << 31) - 1, 0x7f_ffff, -0x80_0000} {
		if lo <= v && v <= hi {
			vs = append(vs, v)
		}
	}
	return vs
}

// asGo is v as the Go type the driver marshals into a CQL integer type of that width.
func asGo(v int64, typ string) any {
	switch typ {
	case "tinyint":
		return int8(v)
	case "smallint":
		return int16(v)
	case "int":
		return int32(v)
	}
	return v
}

func TestSafeConversionIntegers(t *testing.T) {
	ints := []string{"tinyint", "smallint", "int", "bigint"}
	pairs := 0
	for i, from := range ints {
		for _, to := range append(append([]string(nil), ints[i+1:]...), "varint") {
			conv, ok := safeConversion(from, to)
			if !ok || conv == nil {
				t.Errorf("safeConversion(%s, %s) = %v, %v; want a conversion", from, to, conv != nil, ok)
				continue
			}
			pairs++
			for _, v := range intValues(integerWidth[from]) {
				in := marshal(t, from, asGo(v, from))
				want := marshal(t, to, asGo(v, to))
				got, err := conv(in)
				if err != nil || !bytes.Equal(got, want) {
					t.Errorf("%s %d (%x) -> %s = %x, %v; want %x", from, v, in, to, got, err, want)
				}
			}
			// The wrong width is an error, not a guess.
			if got, err := conv(make([]byte, integerWidth[from]+1)); err == nil {
				t.Errorf("%s -> %s of %d bytes = %x, want an error", from, to, integerWidth[from]+1, got)
			}
			if got, err := conv(nil); err == nil {
				t.Errorf("%s -> %s of no bytes = %x, want an error", from, to, got)
			}
		}
	}
	if pairs != 10 { // tinyint: 4, smallint: 3, int: 2, bigint: 1
		t.Errorf("checked %d integer pairs, want 10", pairs)
	}
}

func TestVarintMinimalEncoding(t *testing.T) {
	for _, c := range []struct {
		v    int64
		want []byte
	}{
		{0, []byte{0x00}},
		{1, []byte{0x01}},
		{-1, []byte{0xff}},
		{127, []byte{0x7f}},
		{128, []byte{0x00, 0x80}},
		{255, []byte{0x00, 0xff}},
		{256, []byte{0x01, 0x00}},
		{-128, []byte{0x80}},
		{-129, []byte{0xff, 0x7f}},
		{-256, []byte{0xff, 0x00}},
		{-257, []byte{0xfe, 0xff}},
		{32767, []byte{0x7f, 0xff}},
		{32768, []byte{0x00, 0x80, 0x00}},
		{-32768, []byte{0x80, 0x00}},
		{-32769, []byte{0xff, 0x7f, 0xff}},
		{math.MaxInt64, []byte{0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
		{math.MinInt64, []byte{0x80, 0, 0, 0, 0, 0, 0, 0}},
	} {
		if got := varint(c.v); !bytes.Equal(got, c.want) {
			t.Errorf("varint(%d) = %x, want %x", c.v, got, c.want)
		}
		// The same bytes as the driver's, and they read back as v (two's complement, big-endian).
		if drv := marshal(t, "varint", c.v); !bytes.Equal(drv, c.want) {
			t.Errorf("the driver's varint %d = %x, want %x", c.v, drv, c.want)
		}
		if back := twos(c.want); back.Cmp(big.NewInt(c.v)) != 0 {
			t.Errorf("%x reads as %s, want %d", c.want, back, c.v)
		}
	}
}

// twos reads big-endian two's complement bytes.
func twos(b []byte) *big.Int {
	v := new(big.Int).SetBytes(b)
	if len(b) > 0 && b[0]&0x80 != 0 {
		v.Sub(v, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	return v
}

func TestSafeConversionFloatToDouble(t *testing.T) {
	conv, ok := safeConversion("float", "double")
	if !ok || conv == nil {
		t.Fatalf("safeConversion(float, double) = %v, %v", conv != nil, ok)
	}
	for _, f := range []float32{0, float32(math.Copysign(0, -1)), 1, -1, 1.5, 0.1, -123.456, math.MaxFloat32, -math.MaxFloat32,
		math.SmallestNonzeroFloat32, float32(math.Inf(1)), float32(math.Inf(-1))} {
		in := marshal(t, "float", f)
		want := marshal(t, "double", float64(f))
		got, err := conv(in)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("float %v (%x) -> double = %x, %v; want %x", f, in, got, err, want)
		}
	}
	got, err := conv(marshal(t, "float", float32(math.NaN())))
	if err != nil || len(got) != 8 || !math.IsNaN(math.Float64frombits(binary.BigEndian.Uint64(got))) {
		t.Errorf("float NaN -> double = %x, %v; want a NaN", got, err)
	}
	for _, n := range []int{0, 3, 8} {
		if got, err := conv(make([]byte, n)); err == nil {
			t.Errorf("float of %d bytes -> double = %x, want an error", n, got)
		}
	}
}

func TestSafeConversionSameBytes(t *testing.T) {
	// Equal types, and ascii to text (ASCII is UTF-8): no conversion, the bytes are copied.
	for _, c := range [][2]string{
		{"ascii", "text"}, {"int", "int"}, {"text", "text"}, {"varint", "varint"}, {"blob", "blob"},
		{"frozen<set<int>>", "frozen<set<int>>"}, {"frozen<addr>", "frozen<addr>"}, {"timestamp", "timestamp"},
	} {
		conv, ok := safeConversion(c[0], c[1])
		if !ok || conv != nil {
			t.Errorf("safeConversion(%s, %s) = conversion %v, %v; want none needed", c[0], c[1], conv != nil, ok)
		}
	}
	if !bytes.Equal(marshal(t, "ascii", "hello"), marshal(t, "text", "hello")) {
		t.Errorf("ascii and text bytes of an ASCII string differ")
	}
}

func TestSafeConversionRefused(t *testing.T) {
	for _, c := range [][2]string{
		{"text", "ascii"}, {"bigint", "int"}, {"int", "smallint"}, {"smallint", "tinyint"}, {"int", "tinyint"},
		{"double", "float"}, {"int", "text"}, {"timestamp", "bigint"}, {"bigint", "timestamp"},
		{"varint", "bigint"}, {"varint", "int"}, {"int", "double"}, {"int", "float"}, {"float", "int"},
		{"int", "decimal"}, {"text", "blob"}, {"blob", "text"}, {"int", "counter"}, {"uuid", "timeuuid"},
		{"timeuuid", "uuid"}, {"date", "timestamp"}, {"float", "varint"},
	} {
		if conv, ok := safeConversion(c[0], c[1]); ok || conv != nil {
			t.Errorf("safeConversion(%s, %s) = %v, %v; want refused", c[0], c[1], conv != nil, ok)
		}
	}
}

func TestSignedAndWiden(t *testing.T) {
	for _, c := range []struct {
		b     []byte
		width int
		want  int64
	}{
		{[]byte{0x80}, 1, -128},
		{[]byte{0x7f}, 1, 127},
		{[]byte{0xff, 0xfe}, 2, -2},
		{[]byte{0x80, 0, 0, 0}, 4, math.MinInt32},
		{[]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 8, -1},
		{[]byte{0x80, 0, 0, 0, 0, 0, 0, 0}, 8, math.MinInt64},
	} {
		if got, err := signed(c.b, c.width); err != nil || got != c.want {
			t.Errorf("signed(%x, %d) = %d, %v; want %d", c.b, c.width, got, err, c.want)
		}
	}
	if got, err := widen([]byte{0xfe}, 1, 8); err != nil || !bytes.Equal(got, be64(-2)) {
		t.Errorf("widen(-2, 1, 8) = %x, %v", got, err)
	}
	if got, err := widen([]byte{0x7f, 0xff}, 2, 4); err != nil || !bytes.Equal(got, be32(32767)) {
		t.Errorf("widen(32767, 2, 4) = %x, %v", got, err)
	}
	if _, err := signed([]byte{1, 2}, 4); err == nil || fmt.Sprint(err) == "" {
		t.Errorf("signed of 2 bytes for an int: want an error")
	}
}
