// Command constddb is a DynamoDB endpoint that does nothing: it answers
// GetItem, PutItem, Query and DescribeTable with constant bodies shaped
// like ../shared/tools/loadgen's data set (items of a -size byte "data"
// string, -per-pk items to a partition). Run against it, loadgen measures
// its own SDK client's ceiling on this machine: no server can make that
// client faster.
//
//	go run ./bench/constddb -addr 127.0.0.1:18568
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"strconv"
	"strings"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18568", "listen address")
	size := flag.Int("size", 1024, "bytes in each item's data attribute")
	perPK := flag.Int("per-pk", 10, "items in a Query page")
	flag.Parse()
	answers := bodies(*size, *perPK)
	log.Fatal(http.ListenAndServe(*addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "DynamoDB_20120810.")
		body, ok := answers[op]
		if !ok {
			w.Header().Set("Content-Type", "application/x-amz-json-1.0")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"__type":"com.amazon.coral.validate#ValidationException","message":"constddb does not answer %q"}`, op)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "application/x-amz-json-1.0")
		h.Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	})))
}

type av = map[string]string

func bodies(size, perPK int) map[string][]byte {
	data := strings.Repeat("x", size)
	item := func(sk int) map[string]av {
		return map[string]av{
			"pk":   {"S": "pk00000000"},
			"sk":   {"S": fmt.Sprintf("sk%08d", sk)},
			"data": {"S": data},
		}
	}
	var items []map[string]av
	for i := range perPK {
		items = append(items, item(i))
	}
	last := item(perPK - 1)
	delete(last, "data")
	keyAttr := func(n, t string) map[string]string { return map[string]string{"AttributeName": n, "AttributeType": t} }
	keyElem := func(n, t string) map[string]string { return map[string]string{"AttributeName": n, "KeyType": t} }
	m := map[string]any{
		"GetItem": map[string]any{"Item": item(0)},
		"PutItem": map[string]any{},
		"Query":   map[string]any{"Items": items, "Count": perPK, "ScannedCount": perPK, "LastEvaluatedKey": last},
		"DescribeTable": map[string]any{"Table": map[string]any{
			"TableName": "loadgen", "TableStatus": "ACTIVE", "ItemCount": 0,
			"AttributeDefinitions": []any{keyAttr("pk", "S"), keyAttr("sk", "S")},
			"KeySchema":            []any{keyElem("pk", "HASH"), keyElem("sk", "RANGE")},
		}},
	}
	out := map[string][]byte{}
	for op, v := range m {
		b, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		out[op] = b
	}
	return out
}
