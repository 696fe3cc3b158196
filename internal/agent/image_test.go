package agent

import (
	"context"
	"net"
	"strings"
	"testing"
)

func TestIsLoopbackHost(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]bool{
		"127.0.0.1:4566": true,
		"127.0.0.2":      true,
		"[::1]:5000":     true,
		"localhost:5000": true,
		"LOCALHOST":      true,
		"000000000000.dkr.ecr.us-east-1.localhost:4566": true,
		"public.ecr.aws":        false,
		"registry-1.docker.io":  false,
		"localhost.example.com": false,
		"10.0.0.1:5000":         false,
	} {
		if got := isLoopbackHost(host); got != want {
			t.Errorf("isLoopbackHost(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestDialLoopbackMapsLocalhostNames(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	c, err := dialLoopback(context.Background(), "tcp", "000000000000.dkr.ecr.us-east-1.localhost:"+port)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
}

func TestProcessArgs(t *testing.T) {
	ep, cmd := []string{"/entry"}, []string{"handler"}
	for _, tc := range []struct {
		c    ContainerSpec
		want string
	}{
		{ContainerSpec{Command: []string{"other"}}, "/entry other"},
		{ContainerSpec{EntryPoint: []string{"/new", "-x"}}, "/new -x"},
		{ContainerSpec{EntryPoint: []string{"/new"}, Command: []string{"c"}}, "/new c"},
		{ContainerSpec{EntryPoint: []string{"/new"}, KeepImageCommand: true}, "/new handler"},
		{ContainerSpec{EntryPoint: []string{"/new"}, Command: []string{"c"}, KeepImageCommand: true}, "/new c"},
	} {
		if got := strings.Join(processArgs(ep, cmd, tc.c), " "); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.c, got, tc.want)
		}
	}
}
