// Package ecs is Amazon Elastic Container Service's control plane
// (awsJson 1.1, X-Amz-Target AmazonEC2ContainerServiceV20141113.*,
// signing name "ecs"): clusters, task definitions, tasks, services and
// their tags, and the service scheduler.
//
// # What it owns
//
// Clusters, task definition revisions, tasks and services, in the store
// under "ecs/" (storage.go) and in memory under Service.mu, written
// through on every change. Containers are run by a Runtime (runtime.go),
// which internal/app adapts from the node agent (internal/agent); the
// package imports no other service. The adapter turns the agent's pull
// failures into "CannotPullContainerError: ..." and its other start
// failures into "CannotStartContainerError: ..." (the stoppedReason of a
// TaskFailedToStart task, and each container's reason); a container the
// kernel killed at its memory limit (OOMReporter) has the reason
// "OutOfMemoryError: Container killed due to memory usage", as ECS's
// stopped-task errors say. Images on virga's own registry are pulled
// with tokens ECR mints, so a registry that requires authentication
// serves them. Container output with the awslogs driver goes to
// CloudWatch Logs through Logs, in group awslogs-group and stream
// awslogs-stream-prefix/CONTAINER/TASK_ID. The streams are opened before
// the containers start: without awslogs-create-group a missing group
// fails the task with the awslogs driver's ResourceInitializationError.
//
// # What a container gets (taskenv.go)
//
// As ECS sets them: AWS_REGION and AWS_DEFAULT_REGION (the region),
// AWS_EXECUTION_ENV (AWS_ECS_FARGATE or AWS_ECS_EC2 by launch type),
// ECS_CONTAINER_METADATA_URI_V4 (task metadata v4: the container's at
// the URI, the task's at URI/task), and, when the task has a task role
// (taskRoleArn, or the override's), AWS_CONTAINER_CREDENTIALS_FULL_URI,
// where the SDKs' container credential provider reads the role's
// credentials (an STS session named by the task id; JSON RoleArn,
// AccessKeyId, SecretAccessKey, Token, Expiration). Virga adds
// AWS_ENDPOINT_URL, its own URL, so that SDKs in the container call
// virga. The container definition's environment replaces any of them.
// With --auth iam, calls made with those credentials are authorized as
// that session of the task role.
//
// # The execution role (execrole.go)
//
// With --auth iam (EnforceExecutionRoles), what the ECS agent does for
// a task with an execution role (executionRoleArn, or the override's)
// it does as a session of that role named by the task id, held to the
// role's policies and the resource's: before an image of an ECR
// registry, ecr:GetAuthorizationToken; the pull itself with a registry
// token of that session, so that the registry authorizes
// ecr:BatchGetImage and ecr:GetDownloadUrlForLayer against the role and
// the repository policy; each secret, secretsmanager:GetSecretValue on
// the secret's ARN or ssm:GetParameters on the parameter's; each
// environment file, s3:GetObject; each awslogs stream,
// logs:CreateLogGroup (with awslogs-create-group), logs:CreateLogStream
// and logs:PutLogEvents, in that order (the images are pulled, through
// the runtime's ImagePuller, before the log streams are opened). A
// refusal stops the task before its
// containers start (TaskFailedToStart) with ECS's stoppedReason:
// "ResourceInitializationError: unable to pull secrets or registry
// auth: ..." for the token and the secrets, "CannotPullContainerError:
// ..." (the registry's 403) for the pull, "ResourceInitializationError:
// failed to validate logger args: ..." for the log stream. A task
// without an execution role works with virga's own rights, as an EC2
// task's agent does with its container instance's role;
// RegisterTaskDefinition asks for executionRoleArn where ECS does:
// containers with secrets or repositoryCredentials, and Fargate task
// definitions with ECR images or awslogs.
// The URIs are on virga's address, which the container reaches on its
// own loopback through the task's callback (a full credentials URI must
// be on loopback for the SDKs to accept plain HTTP); the edge serves
// them under /_virga/ecs/ (MetadataHandler), behind a secret made for
// the task when it starts and forgotten when it stops. A task without
// a role gets no credentials URI, and its credentials endpoint answers
// 404. The handlers take Service.mu only to read the task; the role is
// assumed without it.
//
// # Volumes (volumes.go) and stats (stats.go)
//
// A task definition's volumes are made by the runtime when the task
// starts: one with no host, an empty host, or a dockerVolumeConfiguration
// of scope task is an empty directory made for the task, shared by
// every container that mounts it and removed when the task stops; one
// of scope shared is kept by name across tasks (made when missing with
// autoprovision, the local driver only); host.sourcePath is that host
// directory, which the runtime mounts only under virga's
// --host-volume-root (none by default: a task definition should not
// reach the host's files unless the operator allows it). A container
// gets its mountPoints, then the mounts of each container in its
// volumesFrom (all read-only when that entry's readOnly says so), and
// readonlyRootFilesystem makes its root read-only. RegisterTaskDefinition
// refuses a mount point of a volume it does not define ("Unknown volume
// 'NAME'.") and, for FARGATE, host.sourcePath ("Fargate compatible task
// definitions do not support sourcePath") and dockerVolumeConfiguration;
// it also refuses volume names other than up to 255 letters, digits,
// hyphens and underscores, duplicate volume names, relative
// containerPaths and volumesFrom naming no other container, in words of
// its own (ECS's are not documented). EFS and FSx volumes, and drivers
// other than local, stop the task as it starts.
//
// The task metadata's ${ECS_CONTAINER_METADATA_URI_V4}/stats is the
// container's Docker stats document (read, preread, pids_stats,
// cpu_stats, precpu_stats, memory_stats, name, id; blkio_stats empty),
// read by the runtime (StatsReporter) from the container's cgroup;
// /task/stats maps each container's DockerId to its document (null
// for one not running). precpu_stats is the previous read's.
//
// # Secrets and environment files (secrets.go)
//
// At task start, before the runtime starts anything, each container's
// environmentFiles (arn:aws:s3:::bucket/key.env, read through Objects)
// and secrets are read into its environment. A secret's valueFrom is a
// Secrets Manager secret ARN, optionally followed by
// :json-key:version-stage:version-id (any part empty; a JSON key picks
// one key of a JSON SecretString), read through SecretValues, or a
// Parameter Store parameter ARN or name, read through Parameters;
// internal/app wires them to secretsmanager, ssm and s3. An
// environment file is ECS's .env format: VARIABLE=VALUE a line, lines
// beginning with # and blank lines ignored; environment wins over the
// files, and an earlier file over a later one; secrets win over both.
// A secret that cannot be read fails the task (TaskFailedToStart) with
// "ResourceInitializationError: unable to pull secrets or registry
// auth: execution resource retrieval failed: unable to retrieve secret
// from asm: ..." (or "... secrets from ssm: ..."), a file with
// "ResourceInitializationError: failed to download env files: ...".
//
// # Health checks and dependencies (health.go)
//
// A container's healthCheck (["CMD", argv...] or ["CMD-SHELL", cmd],
// run with /bin/sh -c; interval 30 s, timeout 5 s, retries 3 and no
// startPeriod by default, values held to ECS's limits 5-300, 2-60,
// 1-10 and 0-300) is run by the runtime inside the container; the
// lifecycle reads it (HealthReporter) into containers[].healthStatus
// and the task's healthStatus: UNHEALTHY when an essential container
// is, HEALTHY when every essential container with a check is, UNKNOWN
// otherwise; nonessential containers do not count. The scheduler stops
// a service's task whose healthStatus is UNHEALTHY ("Task failed
// container health checks", ServiceSchedulerInitiated, after the
// event "(service S) (task T) failed container health checks.") and
// replaces it; a standalone task runs on whatever its health. dependsOn
// conditions are waited for by the runtime while the task is PENDING:
// a container starts after its dependencies started (START), exited
// (COMPLETE), exited 0 (SUCCESS) or became healthy (HEALTHY). A SUCCESS
// dependency that exits non-zero, or a dependency that has not reached
// its condition within its startTimeout (3 minutes by default), fails
// the task (TaskFailedToStart) with the ECS agent's "dependency graph:
// ..." reason. StopTask during the wait stops the task.
//
// An awsvpc task is described as ECS describes one: an attachment of
// type ElasticNetworkInterface whose details are subnetId (its network
// configuration's first subnet), networkInterfaceId, macAddress and
// privateIPv4Address 127.0.0.1, ATTACHED from launch and DELETED once
// the task stopped, and each container's networkInterfaces naming it.
// Its ports are still published on node ports (networkBindings), as a
// bridge task's are. privateDnsName is not given. Its subnets and security groups must be
// ones EC2 keeps (Deps.Network, through vpcref): RunTask, StartTask,
// CreateService and UpdateService refuse others with
// InvalidParameterException.
//
// Operations that name no cluster use "default". RunTask, StartTask and
// CreateService create it the first time, as a node joining the default
// cluster creates it on AWS; the others answer ClusterNotFoundException
// until it exists.
//
// # Load balancers (loadbalancers.go)
//
// A service's loadBalancers name Application Load Balancer target
// groups, reached through LoadBalancers, which internal/app wires to
// elbv2. CreateService (and UpdateService) check each as ECS does: the
// target group must exist, a listener or rule of a load balancer must
// forward to it, its target type must be ip for awsvpc task
// definitions (and not ip for bridge or host), and containerName and
// containerPort must be a port mapping of the task definition. As a
// service's task becomes RUNNING it is registered as the ip target
// 127.0.0.1:HOSTPORT, the node port its container port is published
// on (an awsvpc task, which on AWS has an address of its own, gets a
// free host port, so that tasks of a service share a container port).
// A task that stops is deregistered; one stopped by StopTask or the
// scheduler (scale-in, DeleteService, a rolling deployment) is
// DEACTIVATING while its target drains for the group's
// deregistration_delay.timeout_seconds on the clock, then its
// containers stop. The service's events say "registered N targets in
// (target-group ARN)", "deregistered ..." and "has begun draining
// connections". Once healthCheckGracePeriodSeconds (0 by default) have
// passed since a task started, a target the load balancer finds
// unhealthy gets the task stopped ("Task failed ELB health checks in
// (target-group ARN)", after the event "(service S) (task T) (port P)
// is unhealthy in (target-group NAME) due to (reason R).") and the
// scheduler replaces it. Behind a load balancer a task counts toward
// minimumHealthyPercent and the steady state only once its targets are
// healthy. Changing a service's loadBalancers starts a new deployment,
// as on ECS.
//
// # A task's life (lifecycle.go)
//
//	RunTask / StartTask / scheduler ─► PROVISIONING ─► PENDING ─► Runtime.StartTask
//	    ├ error ─► STOPPED, stopCode TaskFailedToStart, stoppedReason the error
//	    └ RUNNING ─► an essential container exits (EssentialContainerExited,
//	      "Essential container in task exited"), StopTask (UserInitiated),
//	      the scheduler (ServiceSchedulerInitiated) ─► DEACTIVATING while
//	      its load balancer targets drain ─► DEPROVISIONING
//	      ─► RunningTask.Stop (SIGTERM, SIGKILL after stopTimeout, 30 s
//	      by default) ─► STOPPED
//
// STOPPED tasks stay describable for an hour (ECS keeps them at least
// that long), then the scheduler forgets them.
//
// Each change of a task's status, desired status or a container's
// status sends an "ECS Task State Change" event (source aws.ecs) to the
// default event bus through Events, its detail the task
// (state_events.go). Service action, deployment and container instance
// events are not sent.
//
// # The service scheduler (scheduler.go)
//
// Run reconciles every service each Tick and whenever something changes:
// the PRIMARY deployment is brought to desiredCount without the service
// exceeding maximumPercent of it; tasks of older (ACTIVE) deployments
// stop only while the RUNNING tasks stay at or above minimumHealthyPercent,
// so new tasks are up before old ones stop; an old deployment is
// dropped once its tasks stopped (a stopping task's target drains
// first, so it stays listed meanwhile, as services-stable expects), and the service records "has reached a steady state" when the
// primary runs desiredCount tasks. A task that fails to start or whose
// essential container exits counts as a failure: the next launch waits
// 10 s, doubling per failure in a row up to 15 minutes, on the injected
// clock (ECS throttles such services too; its exact intervals are not
// documented), and after three the service says it "is unable to
// consistently start tasks successfully". The same failures count
// toward the deployment circuit breaker when it is enabled: after half
// the desired count (at least 3, at most 200) the PRIMARY deployment is
// FAILED ("ECS deployment circuit breaker: tasks failed to start.") and
// launches no more tasks or, with rollback, the previous deployment is
// PRIMARY again. DeleteService drains: tasks stop, then the service is
// INACTIVE.
//
// # Restarts
//
// Containers do not outlive the process. When New loads tasks that were
// not STOPPED, they are recorded STOPPED with a stoppedReason saying the
// host stopped, and the scheduler starts replacements for services'
// tasks. Close stops the tasks it runs the same way.
//
// # Lock order
//
// Service.mu only; it is never held across a Runtime call or a wait,
// except HealthReporter.Health, which only reads the runtime's state.
// It is held across LoadBalancers calls, which take elbv2's lock and
// never call back into ECS.
//
// # Not supported
//
// Container instances, capacity providers other than FARGATE and
// FARGATE_SPOT (a cluster lists those two and a default strategy over
// them, but a task's capacityProviderStrategy does not choose how it
// runs), task sets, attributes, account settings, ExecuteCommand, task protection, service
// discovery and Service Connect: those operations answer the edge's
// unknown-operation error. Classic Load Balancers (loadBalancerName),
// Network Load Balancers, and registering tasks in instance target
// groups (virga has no EC2 instances: a bridge or host task behind one
// is not registered); failed ELB health checks do not count toward
// the deployment circuit breaker, nor do failed container health
// checks; the image's own HEALTHCHECK is not run (ECS runs only the
// definition's); the task metadata endpoint v3
// (ECS_CONTAINER_METADATA_URI), the agent endpoints (ECS_AGENT_URI),
// the stats' networks, network_rate_stats and block I/O, and the
// endpoint taskWithTags of v4,
// AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (it means 169.254.170.2,
// which a task cannot reach here), without --auth iam the execution
// role (pulls, awslogs, secrets and environment files then use virga's
// own rights; containerOverrides' environmentFiles are not read);
// with it, kms:Decrypt of secrets under customer managed keys and
// s3:GetBucketLocation of environment files are not checked, and the
// denial's SDK suffix (status code, request id) is not given; EFS,
// FSx and Docker volume plugins, driverOpts and labels of Docker
// volumes, the image's own VOLUMEs (ECS mounts them for volumesFrom
// and for empty volumes' initial content), and the agent's Not
// supported list (internal/agent) are not provided; in its metadata a container's network is the definition's
// mode with address 127.0.0.1 and its Ports' HostIp 127.0.0.1, as is
// DescribeTasks' bindIP (the agent binds loopback only, where ECS's
// bridge mode says 0.0.0.0); ImageID and DescribeTasks' imageDigest
// are the digest the tag resolved to when the task started
// (ImageDigester);
// RegisterTaskDefinition does not check healthCheck's limits nor
// that COMPLETE and SUCCESS name nonessential containers; placement
// constraints and strategies are accepted and ignored (virga's node is the only one). Every task runs on the node, whatever its launch type.
// CloudFormation's AWS::ECS::Cluster, TaskDefinition and Service are in
// package cfn/providers.
package ecs
