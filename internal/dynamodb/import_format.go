package dynamodb

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/csv"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/zstd"

	"github.com/virga/virga/internal/awsproto/apierr"
	"github.com/virga/virga/internal/awsproto/jsoncodec"
	"github.com/virga/virga/internal/dynamodb/attr"
)

// The readers of ImportTable's source objects. An object is read, after
// decompression, as DynamoDB reads it:
//
//   - DYNAMODB_JSON: one {"Item":{...}} per line, in the wire's
//     AttributeValue JSON; empty and blank lines are skipped.
//   - CSV: one item per record; the header is CsvOptions.HeaderList or,
//     without one, the object's first record. Key attributes take the
//     types of their AttributeDefinitions (N parsed, B base64); every
//     other column is a string; an empty field is no attribute.
//
// Every item must be valid for the table (its keys, index keys, names and
// size). The first line or record that is not abandons the rest of its
// object: it is one error, and the items before it stay imported. Each
// error is told to importCounts.onError with the item's index in its
// object, which runImport logs as DynamoDB does.

// maxImportLine bounds one line (or CSV record) of a source object. An
// item is at most 400 KB; its JSON, with base64 binaries and type tags,
// can be several times that.
const maxImportLine = 4 << 20

// importCounts are what reading source objects counted.
type importCounts struct {
	// processed is the items read, valid or not; imported the valid
	// ones written; errors the invalid ones.
	processed, imported, errors int64
	// bytes is the objects' size after decompression.
	bytes int64
	// onError, when set, is told of each invalid item: its index in its
	// object (the items before it, valid or not, counted from 0) and
	// why it is invalid.
	onError func(itemIndex int64, message string)
}

// importFormat is how ImportTable reads its objects.
type importFormat struct {
	format      string // DYNAMODB_JSON or CSV
	compression string // GZIP, ZSTD or NONE
	delimiter   rune
	header      []string
}

// decompress wraps r in the object's decompression.
func (f *importFormat) decompress(r io.Reader) (io.ReadCloser, error) {
	switch f.compression {
	case "GZIP":
		return gzip.NewReader(r)
	case "ZSTD":
		d, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, err
		}
		return d.IOReadCloser(), nil
	}
	return io.NopCloser(r), nil
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n *int64
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	*c.n += int64(n)
	return n, err
}

// readObject reads one source object's items, checks each against t and
// calls put with the valid ones; an error from put ends the import. An
// object that cannot be decompressed or read is one error, like an
// invalid item.
func (f *importFormat) readObject(r io.Reader, t *table, c *importCounts, put func(attr.Item) error) error {
	var index int64 // the items of this object read so far
	fail := func(err error) {
		c.processed++
		c.errors++
		if c.onError == nil {
			return
		}
		// An item's error is logged as its message, without its code.
		msg := err.Error()
		if e := apierr.As(err); e != nil && e.Message != "" {
			msg = e.Message
		}
		c.onError(index, msg)
	}
	dr, err := f.decompress(r)
	if err != nil {
		fail(fmt.Errorf("The source object could not be decompressed: %v", err))
		return nil
	}
	defer dr.Close()
	src := countingReader{r: dr, n: &c.bytes}
	var next func() (attr.Item, bool, error)
	if f.format == "CSV" {
		next = f.csvItems(src, t)
	} else {
		next = jsonLineItems(src)
	}
	for {
		item, ok, err := next()
		if err != nil {
			fail(err)
			return nil
		}
		if !ok {
			return nil
		}
		if err := checkImportItem(t, item); err != nil {
			fail(err)
			return nil
		}
		c.processed++
		index++
		if err := put(item); err != nil {
			return err
		}
		c.imported++
	}
}

// checkImportItem checks an item against the table it is imported into,
// as PutItem would.
func checkImportItem(t *table, item attr.Item) error {
	// An import refuses an empty attribute name, which PutItem's request
	// layer does not see (it cannot be sent as a map key by most SDKs).
	if _, ok := item[""]; ok {
		return invalid("One or more parameter values were invalid: An attribute name is empty")
	}
	if err := checkItemKeys(t, item); err != nil {
		return err
	}
	if err := checkIndexKeys(t, item, false); err != nil {
		return err
	}
	if attr.ItemSize(item) > attr.MaxItemSize {
		return invalid("Item size has exceeded the maximum allowed size")
	}
	return nil
}

// importLine is a line of a DYNAMODB_JSON object.
type importLine struct {
	Item map[string]AttributeValue
}

// jsonLineItems reads DYNAMODB_JSON lines; ok is false at the end.
func jsonLineItems(r io.Reader) func() (attr.Item, bool, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	return func() (attr.Item, bool, error) {
		for {
			line, err := readLine(br)
			if err != nil {
				return nil, false, err
			}
			if line == nil {
				return nil, false, nil
			}
			if len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			item, err := parseJSONLine(line)
			return item, err == nil, err
		}
	}
}

// readLine reads one line without its end; nil at the end of input.
func readLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > maxImportLine {
			return nil, fmt.Errorf("A line is longer than %d bytes", maxImportLine)
		}
		switch {
		case err == nil:
			return bytes.TrimRight(line, "\r\n"), nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			if len(line) == 0 {
				return nil, nil
			}
			return line, nil
		default:
			return nil, fmt.Errorf("The source object could not be read: %v", err)
		}
	}
}

// parseJSONLine decodes one DYNAMODB_JSON line.
func parseJSONLine(line []byte) (attr.Item, error) {
	var l importLine
	if err := jsoncodec.Unmarshal(line, &l); err != nil {
		return nil, fmt.Errorf("Unexpected token in the source data: %v", err)
	}
	if l.Item == nil {
		return nil, errors.New("Expected 'Item' top level container")
	}
	item, err := itemFromWire(l.Item)
	if err != nil {
		return nil, err
	}
	return item, nil
}

// csvItems reads CSV records as items; ok is false at the end.
func (f *importFormat) csvItems(r io.Reader, t *table) func() (attr.Item, bool, error) {
	lim := &recordLimit{r: r}
	cr := csv.NewReader(bufio.NewReaderSize(lim, 64<<10))
	cr.Comma = f.delimiter
	cr.ReuseRecord = true
	header := f.header
	return func() (attr.Item, bool, error) {
		for {
			// The next record may take maxImportLine bytes and its end.
			lim.limit = cr.InputOffset() + maxImportLine + 1
			rec, err := cr.Read()
			if errors.Is(err, io.EOF) {
				return nil, false, nil
			}
			if errors.Is(err, errRecordTooLong) {
				return nil, false, err
			}
			if err != nil {
				return nil, false, fmt.Errorf("The CSV source is malformed: %v", err)
			}
			if header == nil {
				header = append([]string(nil), rec...)
				if err := checkCSVHeader(header); err != nil {
					return nil, false, err
				}
				cr.FieldsPerRecord = len(header)
				continue
			}
			if len(rec) != len(header) {
				return nil, false, fmt.Errorf("The CSV record has %d fields, the header %d", len(rec), len(header))
			}
			item, err := csvItem(t, header, rec)
			return item, err == nil, err
		}
	}
}

// errRecordTooLong is a CSV record longer than maxImportLine.
var errRecordTooLong = fmt.Errorf("A record is longer than %d bytes", maxImportLine)

// recordLimit bounds the bytes a CSV reader takes for one record:
// encoding/csv has no bound of its own and would gather a record (one
// unterminated line, or a quoted field over many) of any length in
// memory. Reading past limit, an offset from the start of r, fails with
// errRecordTooLong.
type recordLimit struct {
	r     io.Reader
	read  int64 // bytes read from r
	limit int64
}

func (l *recordLimit) Read(p []byte) (int, error) {
	rest := l.limit - l.read
	if rest <= 0 {
		return 0, errRecordTooLong
	}
	if int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := l.r.Read(p)
	l.read += int64(n)
	return n, err
}

// maxCSVColumns is the most columns a CSV header names, as HeaderList's
// limit: 255.
const maxCSVColumns = 255

func checkCSVHeader(header []string) error {
	if len(header) > maxCSVColumns {
		return fmt.Errorf("The CSV header has more than %d columns", maxCSVColumns)
	}
	seen := map[string]bool{}
	for _, h := range header {
		if err := attr.CheckName(h); err != nil {
			return err
		}
		if seen[h] {
			return fmt.Errorf("The CSV header names %s twice", h)
		}
		seen[h] = true
	}
	return nil
}

// csvItem makes the item of one CSV record.
func csvItem(t *table, header, rec []string) (attr.Item, error) {
	item := make(attr.Item, len(header))
	for i, name := range header {
		v := rec[i]
		if v == "" {
			continue
		}
		switch t.attrType(name) {
		case "N":
			n, err := attr.ParseNumber(v)
			if err != nil {
				return nil, fmt.Errorf("The value of %s is not a number: %v", name, err)
			}
			item[name] = attr.N(n)
		case "B":
			b, err := base64.StdEncoding.DecodeString(v)
			if err != nil {
				return nil, fmt.Errorf("The value of %s is not base64: %v", name, err)
			}
			item[name] = attr.B(b)
		default:
			item[name] = attr.S(v)
		}
	}
	return item, nil
}
