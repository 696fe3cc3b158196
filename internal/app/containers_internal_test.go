package app

import (
	"testing"
	"time"

	"github.com/virga/virga/internal/clock"
	"github.com/virga/virga/internal/config"
	"github.com/virga/virga/internal/ecr"
	"github.com/virga/virga/internal/ids"
	pebblestore "github.com/virga/virga/internal/store/pebble"
)

// TestRegistryCredentials: the agent authenticates to virga's own
// registry (loopback or *.localhost on virga's port) with a token ECR
// minted, and to nothing else.
func TestRegistryCredentials(t *testing.T) {
	db, err := pebblestore.Open(pebblestore.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	images, err := ecr.New(ecr.Deps{Store: db, Clock: clock.NewFake(time.Now()), IDs: ids.New(nil), Account: "000000000000", Region: "us-east-1", RequireAuth: true})
	if err != nil {
		t.Fatal(err)
	}
	a := &App{cfg: config.Config{Listen: "0.0.0.0:4611"}}
	creds := registryCredentials(a, func() *ecr.Service { return images })
	for host, own := range map[string]bool{
		"127.0.0.1:4611": true, "localhost:4611": true, "000000000000.dkr.ecr.us-east-1.localhost:4611": true,
		"127.0.0.1:4612": false, "registry.example.com:4611": false, "docker.io": false,
	} {
		user, pass, err := creds(host)
		if err != nil || (user == "AWS" && pass != "") != own {
			t.Errorf("%s: %q %q %v, want credentials %v", host, user, pass, err, own)
		}
	}
	if got := a.taskEndpoint(); got != "http://127.0.0.1:4611" {
		t.Errorf("taskEndpoint = %s", got)
	}
	a.cfg.Listen = "192.0.2.7:4566"
	if got := a.taskEndpoint(); got != "http://127.0.0.1:4566" {
		t.Errorf("taskEndpoint on a host address = %s", got)
	}
}
