// Command echo is the container the agent's tests run: an HTTP server
// that answers with its environment, fetches URLs from inside the
// task's network namespace, exits on request and writes to stdout and
// stderr.
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// hold keeps /alloc's memory reachable.
var hold [][]byte

func main() {
	port := flag.String("port", "8080", "port to listen on (127.0.0.1 of the task)")
	say := flag.String("say", "", "a line to print on stdout at start")
	exit := flag.Int("exit", -1, "exit at once with this code")
	udp := flag.String("udp", "", "port to echo UDP datagrams on, upper-cased")
	flag.Parse()
	if *udp != "" {
		pc, err := net.ListenPacket("udp", "127.0.0.1:"+*udp)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		go func() {
			buf := make([]byte, 65535)
			for {
				n, addr, err := pc.ReadFrom(buf)
				if err != nil {
					return
				}
				pc.WriteTo([]byte(strings.ToUpper(string(buf[:n]))), addr)
			}
		}()
	}
	if *say != "" {
		fmt.Println(*say)
	}
	if *exit >= 0 {
		fmt.Fprintln(os.Stderr, "exiting with", *exit)
		os.Exit(*exit)
	}

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM)
	go func() {
		for range sig {
			if os.Getenv("IGNORE_SIGTERM") != "" {
				fmt.Println("ignoring SIGTERM")
				continue
			}
			fmt.Println("SIGTERM: exiting")
			os.Exit(0)
		}
	}()

	http.HandleFunc("/env", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, os.Getenv(r.URL.Query().Get("name")))
	})
	http.HandleFunc("/id", func(w http.ResponseWriter, r *http.Request) {
		wd, _ := os.Getwd()
		fmt.Fprintf(w, "%d:%d %s", os.Getuid(), os.Getgid(), wd)
	})
	http.HandleFunc("/resolve", func(w http.ResponseWriter, r *http.Request) {
		addrs, err := net.LookupHost(r.URL.Query().Get("name"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		host, _ := os.Hostname()
		fmt.Fprint(w, host, " ", strings.Join(addrs, ","))
	})
	http.HandleFunc("/alloc", func(w http.ResponseWriter, r *http.Request) {
		mb, _ := strconv.Atoi(r.URL.Query().Get("mb"))
		for i := 0; i < mb; i++ {
			b := make([]byte, 1<<20)
			for j := range b {
				b[j] = byte(j)
			}
			hold = append(hold, b)
		}
		fmt.Fprintln(w, "allocated", mb)
	})
	http.HandleFunc("/exit", func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(r.URL.Query().Get("code"))
		fmt.Fprintln(w, "bye")
		go func() {
			time.Sleep(50 * time.Millisecond)
			os.Exit(code)
		}()
	})
	http.HandleFunc("/get", func(w http.ResponseWriter, r *http.Request) {
		resp, err := http.Get(r.URL.Query().Get("url"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		io.Copy(w, resp.Body)
	})
	http.HandleFunc("/log", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(os.Stdout, "out:", r.URL.Query().Get("msg"))
		fmt.Fprintln(os.Stderr, "err:", r.URL.Query().Get("msg"))
	})
	fmt.Fprintln(os.Stderr, "listening on", *port)
	if err := http.ListenAndServe("127.0.0.1:"+*port, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
