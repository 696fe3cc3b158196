package s3

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"strings"
)

// S3's additional checksum algorithms, as x-amz-sdk-checksum-algorithm
// and ChecksumAlgorithm name them.
const (
	algCRC32     = "CRC32"
	algCRC32C    = "CRC32C"
	algCRC64NVME = "CRC64NVME"
	algSHA1      = "SHA1"
	algSHA256    = "SHA256"
)

// checksumAlgorithms are the algorithms S3 computes, in the order their
// headers are looked for.
var checksumAlgorithms = []string{algCRC32, algCRC32C, algCRC64NVME, algSHA1, algSHA256}

// Checksum types: a whole object's checksum, or one made of its parts'
// checksums (a multipart upload's, "CHECKSUM-N").
const (
	checksumFullObject = "FULL_OBJECT"
	checksumComposite  = "COMPOSITE"
)

// crc64NVMETable is CRC-64/NVME's table: polynomial 0xAD93D23594C935A9,
// reflected, as Go's crc64 takes it; crc64 inverts before and after, as
// the NVMe definition does (init and xorout all ones).
var crc64NVMETable = crc64.MakeTable(0x9A6C9329AC4BC9B5)

// newChecksum returns a hash for one of checksumAlgorithms, or nil.
func newChecksum(alg string) hash.Hash {
	switch strings.ToUpper(alg) {
	case algCRC32:
		return crc32.NewIEEE()
	case algCRC32C:
		return crc32.New(crc32.MakeTable(crc32.Castagnoli))
	case algCRC64NVME:
		return crc64.New(crc64NVMETable)
	case algSHA1:
		return sha1.New()
	case algSHA256:
		return sha256.New()
	}
	return nil
}

// checksumHeader is the header that carries alg's value.
func checksumHeader(alg string) string { return "x-amz-checksum-" + strings.ToLower(alg) }

// checksumValue is a hash's value as S3 writes it: base64 of its bytes.
func checksumValue(h hash.Hash) string { return base64.StdEncoding.EncodeToString(h.Sum(nil)) }

// validChecksum reports whether v is the base64 form of a value of alg's
// size.
func validChecksum(alg, v string) bool {
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return false
	}
	h := newChecksum(alg)
	return h != nil && len(b) == h.Size()
}

// objectChecksum is a stored object's (or part's) additional checksum.
type objectChecksum struct {
	Algorithm string `json:"alg,omitempty"`
	Value     string `json:"value,omitempty"`
	Type      string `json:"type,omitempty"`
}

// crc64NVMEPoly is CRC-64/NVME's polynomial, reflected.
const crc64NVMEPoly = 0x9A6C9329AC4BC9B5

// gf2Times multiplies the GF(2) 64×64 matrix mat by vec.
func gf2Times(mat *[64]uint64, vec uint64) uint64 {
	var sum uint64
	for i := 0; vec != 0; i, vec = i+1, vec>>1 {
		if vec&1 != 0 {
			sum ^= mat[i]
		}
	}
	return sum
}

func gf2Square(square, mat *[64]uint64) {
	for n := range 64 {
		square[n] = gf2Times(mat, mat[n])
	}
}

// combineCRC64NVME returns the CRC64NVME of A followed by B from crcA,
// crcB and B's length, by applying len2 zero bytes to crcA in GF(2) (the
// method zlib's crc32_combine uses, for the 64-bit polynomial). It lets
// a multipart object have a full-object checksum without reading it
// back.
func combineCRC64NVME(crcA, crcB uint64, lenB int64) uint64 {
	if lenB <= 0 {
		return crcA
	}
	var even, odd [64]uint64
	odd[0] = crc64NVMEPoly // the operator for one zero bit
	row := uint64(1)
	for n := 1; n < 64; n++ {
		odd[n] = row
		row <<= 1
	}
	gf2Square(&even, &odd) // two zero bits
	gf2Square(&odd, &even) // four zero bits
	for {
		gf2Square(&even, &odd)
		if lenB&1 != 0 {
			crcA = gf2Times(&even, crcA)
		}
		lenB >>= 1
		if lenB == 0 {
			break
		}
		gf2Square(&odd, &even)
		if lenB&1 != 0 {
			crcA = gf2Times(&odd, crcA)
		}
		lenB >>= 1
		if lenB == 0 {
			break
		}
	}
	return crcA ^ crcB
}
