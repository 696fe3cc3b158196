package agent_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/virga/virga/internal/agent"
)

// A consumer such as ECS starts a task of two containers that share
// localhost, reaches the first one's port 8080 on the host, gives the
// containers virga's endpoint, and stops the task after its essential
// container exits.
func Example() {
	a := agent.New(agent.Options{DataDir: "/var/lib/virga"})
	defer a.Close()

	ctx := context.Background()
	task, err := a.StartTask(ctx, agent.TaskSpec{
		ID:       "3f1c2b7e9a0d4c6b8e2f1a3c5d7e9f01",
		Callback: "127.0.0.1:4566", // reached inside as 127.0.0.1:4566
		Containers: []agent.ContainerSpec{
			{
				Name:         "web",
				Image:        "000000000000.dkr.ecr.us-east-1.localhost:4566/web:latest",
				Env:          []string{"AWS_ENDPOINT_URL=http://127.0.0.1:4566"},
				PortMappings: []agent.PortMapping{{ContainerPort: 8080}},
				MemoryMiB:    512,
				CPUUnits:     256,
				Logs: func(stream string, line []byte) {
					log.Printf("web %s: %s", stream, line)
				},
			},
			{Name: "sidecar", Image: "127.0.0.1:4566/sidecar:1"},
		},
	})
	switch {
	case errors.Is(err, agent.ErrPull):
		log.Fatalf("CannotPullContainerError: %v", err)
	case err != nil:
		log.Fatalf("CannotStartContainerError: %v", err)
	}
	for _, p := range task.Ports() {
		fmt.Printf("%s: 127.0.0.1:%d -> %d/%s\n", p.Container, p.HostPort, p.ContainerPort, p.Protocol)
	}
	code, err := task.Wait(ctx, "web")
	if err != nil {
		log.Fatal(err)
	}
	if r, ok := task.(agent.OOMReporter); ok && r.OOMKilled("web") {
		fmt.Println("OutOfMemoryError: Container killed due to memory usage")
	}
	fmt.Println("web exited with", code)
	if err := task.Stop(ctx, 30*time.Second); err != nil {
		log.Print(err)
	}
}
