package template

import (
	"math/big"
	"net/netip"
	"strconv"
)

// Fn::Cidr limits, from AWS's documentation: "count: The number of CIDRs
// to generate. Valid range is between 1 and 256."
const (
	minCidrCount = 1
	maxCidrCount = 256
)

// The wording of Fn::Cidr's errors is virga's: AWS's could not be
// confirmed.
const errCidrArgs = "Fn::Cidr requires a list argument with three elements: an IP block, a count and the number of subnet bits"

func (e *evaluator) cidr(arg any, path string, depth int) (any, error) {
	l, ok, err := e.args(arg, 3, path, depth)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, templateErr(errCidrArgs)
	}
	for _, v := range l {
		if !isScalar(v) || v == nil {
			return nil, templateErr(errCidrArgs)
		}
	}
	count, err1 := strconv.Atoi(scalarText(l[1]))
	bits, err2 := strconv.Atoi(scalarText(l[2]))
	if err1 != nil || err2 != nil {
		return nil, templateErr(errCidrArgs)
	}
	blocks, cerr := cidrBlocks(scalarText(l[0]), count, bits)
	if cerr != nil {
		return nil, cerr
	}
	out := make([]any, len(blocks))
	for i, b := range blocks {
		out[i] = b
	}
	return out, nil
}

// cidrBlocks splits block into count consecutive CIDRs of cidrBits host
// bits each: a /24 split with 5 bits gives /27s.
func cidrBlocks(block string, count, cidrBits int) ([]string, *Error) {
	prefix, err := netip.ParsePrefix(block)
	if err != nil {
		return nil, templateErr("Fn::Cidr: %s is not a valid CIDR block", block)
	}
	prefix = prefix.Masked()
	width := prefix.Addr().BitLen()
	if count < minCidrCount || count > maxCidrCount {
		return nil, templateErr("Fn::Cidr: the count must be between %d and %d", minCidrCount, maxCidrCount)
	}
	newLen := width - cidrBits
	if cidrBits < 0 || newLen < prefix.Bits() {
		return nil, templateErr("Fn::Cidr: %d subnet bits do not fit in %s", cidrBits, block)
	}
	// The block holds 2^(newLen-prefixLen) subnets.
	if avail := newLen - prefix.Bits(); avail < 9 && count > 1<<avail {
		return nil, templateErr("Fn::Cidr: %s cannot hold %d blocks of %d subnet bits", block, count, cidrBits)
	}
	base := new(big.Int).SetBytes(prefix.Addr().AsSlice())
	step := new(big.Int).Lsh(big.NewInt(1), uint(cidrBits))
	out := make([]string, count)
	for i := range count {
		n := new(big.Int).Add(base, new(big.Int).Mul(step, big.NewInt(int64(i))))
		buf := make([]byte, width/8)
		n.FillBytes(buf)
		addr, _ := netip.AddrFromSlice(buf)
		out[i] = netip.PrefixFrom(addr, newLen).String()
	}
	return out, nil
}
