package backfill

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
)

// The copy moves values as the bytes of the native protocol: a value read from the source is
// written to the target without being decoded, except where a conversion or a per-element write
// needs its parts. These helpers read and write those bytes.

// raw is a value as the protocol carries it; null is a missing value (a null cell is never
// written: writing one would be a tombstone).
type raw struct {
	b    []byte
	null bool
}

// UnmarshalCQL keeps the bytes (the driver reuses its buffer, so they are copied).
func (r *raw) UnmarshalCQL(_ gocql.TypeInfo, data []byte) error {
	if data == nil {
		r.b, r.null = nil, true
		return nil
	}
	r.b, r.null = append([]byte(nil), data...), false
	return nil
}

// MarshalCQL gives the bytes back.
func (r raw) MarshalCQL(gocql.TypeInfo) ([]byte, error) {
	if r.null {
		return nil, nil
	}
	if r.b == nil {
		return []byte{}, nil // an empty value (''): nil bytes would be sent as a null
	}
	return r.b, nil
}

// elements reads a serialized list, set or map (protocol v3+: an int32 count, then each element,
// or each key and value, as an int32 length and bytes). A map gives 2 parts per entry.
func elements(b []byte, partsPerElement int) ([][]byte, error) {
	if len(b) < 4 {
		return nil, fmt.Errorf("collection of %d bytes", len(b))
	}
	n := int(int32(binary.BigEndian.Uint32(b)))
	if n < 0 {
		return nil, fmt.Errorf("collection of %d elements", n)
	}
	b = b[4:]
	// each part takes at least 4 bytes: a count beyond that is caught below, not allocated
	out := make([][]byte, 0, min(n*partsPerElement, len(b)/4))
	for range n * partsPerElement {
		part, rest, err := lengthPrefixed(b)
		if err != nil {
			return nil, err
		}
		out, b = append(out, part), rest
	}
	return out, nil
}

// lengthPrefixed reads an int32 length and that many bytes (nil for a negative length: null).
func lengthPrefixed(b []byte) (part, rest []byte, err error) {
	if len(b) < 4 {
		return nil, nil, fmt.Errorf("truncated value")
	}
	l := int(int32(binary.BigEndian.Uint32(b)))
	b = b[4:]
	if l < 0 {
		return nil, b, nil
	}
	if l > len(b) {
		return nil, nil, fmt.Errorf("value of %d bytes in %d", l, len(b))
	}
	return b[:l], b[l:], nil
}

// collection serializes parts as a list, set or map of len(parts)/partsPerElement elements.
func collection(parts [][]byte, partsPerElement int) []byte {
	size := 4
	for _, p := range parts {
		size += 4 + len(p)
	}
	out := make([]byte, 4, size)
	binary.BigEndian.PutUint32(out, uint32(len(parts)/partsPerElement))
	for _, p := range parts {
		out = binary.BigEndian.AppendUint32(out, uint32(len(p)))
		out = append(out, p...)
	}
	return out
}

// udtFields reads a serialized user-defined type value into its fields, in the type's order; a
// value may end before its last fields (added after it was written): those are nil, as null ones.
func udtFields(b []byte, n int) ([][]byte, error) {
	out := make([][]byte, n)
	for i := 0; i < n && len(b) > 0; i++ {
		part, rest, err := lengthPrefixed(b)
		if err != nil {
			return nil, err
		}
		out[i], b = part, rest
	}
	return out, nil
}

// bigints reads a list<bigint> (the writetimes of a multi-cell column's parts); a null element is 0.
func bigints(r raw) ([]int64, error) {
	if r.null {
		return nil, nil
	}
	parts, err := elements(r.b, 1)
	if err != nil {
		return nil, err
	}
	out := make([]int64, len(parts))
	for i, p := range parts {
		if out[i], err = bigint(p); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ints reads a list<int> (the TTLs of a multi-cell column's parts); a null element is 0 (none).
func ints(r raw) ([]int32, error) {
	if r.null {
		return nil, nil
	}
	parts, err := elements(r.b, 1)
	if err != nil {
		return nil, err
	}
	out := make([]int32, len(parts))
	for i, p := range parts {
		if out[i], err = int32Of(p); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// bigint reads a bigint; nil (null) is 0.
func bigint(b []byte) (int64, error) {
	switch len(b) {
	case 0:
		return 0, nil
	case 8:
		return int64(binary.BigEndian.Uint64(b)), nil
	}
	return 0, fmt.Errorf("bigint of %d bytes", len(b))
}

// int32Of reads an int; nil (null) is 0.
func int32Of(b []byte) (int32, error) {
	switch len(b) {
	case 0:
		return 0, nil
	case 4:
		return int32(binary.BigEndian.Uint32(b)), nil
	}
	return 0, fmt.Errorf("int of %d bytes", len(b))
}

// conversion turns the bytes of a source value into those of the target's type.
type conversion func([]byte) ([]byte, error)

// integerWidth is the size of the fixed-width integer types.
var integerWidth = map[string]int{"tinyint": 1, "smallint": 2, "int": 4, "bigint": 8}

// safeConversion is the conversion of a value of type from into type to, when it cannot lose or
// change a value; ok is false otherwise. Equal types need none (nil, true).
func safeConversion(from, to string) (conversion, bool) {
	if from == to {
		return nil, true
	}
	fw, fromInt := integerWidth[from]
	if tw, toInt := integerWidth[to]; fromInt && toInt && tw > fw {
		return func(b []byte) ([]byte, error) { return widen(b, fw, tw) }, true
	}
	switch {
	case fromInt && to == "varint":
		return func(b []byte) ([]byte, error) {
			v, err := signed(b, fw)
			if err != nil {
				return nil, err
			}
			return varint(v), nil
		}, true
	case from == "float" && to == "double":
		return func(b []byte) ([]byte, error) {
			if len(b) != 4 {
				return nil, fmt.Errorf("float of %d bytes", len(b))
			}
			d := float64(math.Float32frombits(binary.BigEndian.Uint32(b)))
			return binary.BigEndian.AppendUint64(nil, math.Float64bits(d)), nil
		}, true
	case from == "ascii" && to == "text":
		return nil, true // ASCII is UTF-8
	}
	return nil, false
}

// signed reads a big-endian two's complement integer of width bytes.
func signed(b []byte, width int) (int64, error) {
	if len(b) != width {
		return 0, fmt.Errorf("integer of %d bytes, want %d", len(b), width)
	}
	var v int64
	if b[0]&0x80 != 0 {
		v = -1
	}
	for _, c := range b {
		v = v<<8 | int64(c)
	}
	return v, nil
}

// widen sign-extends an integer of from bytes to to bytes.
func widen(b []byte, from, to int) ([]byte, error) {
	v, err := signed(b, from)
	if err != nil {
		return nil, err
	}
	out := make([]byte, to)
	for i := to - 1; i >= 0; i-- {
		out[i] = byte(v)
		v >>= 8
	}
	return out, nil
}

// varint is the minimal two's complement encoding of v, as Cassandra writes a varint.
func varint(v int64) []byte {
	b := big.NewInt(v)
	if v >= 0 {
		out := b.Bytes()
		if len(out) == 0 || out[0]&0x80 != 0 {
			out = append([]byte{0}, out...)
		}
		return out
	}
	// two's complement of a negative number: invert the bytes of -(v+1)
	mag := new(big.Int).Neg(new(big.Int).Add(b, big.NewInt(1))).Bytes()
	if len(mag) == 0 || mag[0]&0x80 != 0 {
		mag = append([]byte{0}, mag...)
	}
	for i := range mag {
		mag[i] = ^mag[i]
	}
	return mag
}
