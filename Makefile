# cqlsync Makefile. `make help` lists the targets.
SHELL := /usr/bin/env bash -o pipefail
.SHELLFLAGS := -ec

IMG ?= cqlsync:latest
CONTROLLER_GEN := go tool controller-gen
KUBECTL ?= $(shell command -v kubectl 2>/dev/null || echo $(CURDIR)/bin/k8s/1.36.3/kubectl)

.PHONY: all
all: build

##@ General

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN {FS = ":.*##"; printf "Usage: make <target>\n"} /^[a-zA-Z_0-9-]+:.*?##/ { printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2 } /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) }' $(MAKEFILE_LIST)

##@ Development

.PHONY: manifests
manifests: ## Generate the CRDs, RBAC, config/crd/kustomization.yaml, the chart's CRDs and RBAC, and the reason tables of docs/status.md, from the markers and the API's constants.
	$(CONTROLLER_GEN) rbac:roleName=cqlsync-manager crd paths="./api/...;./controllers/..." output:crd:artifacts:config=config/crd/bases output:rbac:artifacts:config=config/rbac
	go run ./hack/manifests crds chart docs argocd

.PHONY: chart
chart: ## Copy the generated CRDs, RBAC rules and admission policies into the Helm chart dist/chart (part of manifests).
	go run ./hack/manifests chart

.PHONY: generate
generate: ## Generate deepcopy code from the controller-gen markers.
	$(CONTROLLER_GEN) object paths="./api/..."

.PHONY: fmt
fmt: ## Run go fmt.
	go fmt ./...

.PHONY: vet
vet: ## Run go vet.
	go vet ./...

# Everything `make manifests generate` writes: a diff (or an untracked file) there after running it
# means a committed generated file is stale.
GENERATED_PATHS := config/crd config/rbac config/argocd api dist/chart docs/status.md docs/gitops.md

.PHONY: verify-generated
verify-generated: manifests generate ## Fail when committed generated files are stale.
	@if [ -n "$$(git status --porcelain -- $(GENERATED_PATHS))" ]; then \
		git status --porcelain -- $(GENERATED_PATHS); git diff -- $(GENERATED_PATHS) | head -50; \
		echo "generated files are stale: run 'make manifests generate' and commit them"; exit 1; fi

##@ Test rig

.PHONY: control-plane
control-plane: ## Build (once) kube-apiserver, kube-controller-manager, etcd and kubectl from Go modules into bin/k8s.
	hack/control-plane.sh

.PHONY: helm
helm: ## Build (once) helm from Go modules into bin/helm, for the chart's lint and tests.
	hack/helm.sh

.PHONY: cassandra-start
cassandra-start: ## Start the local Cassandra clusters (cluster1 127.0.0.1, cluster2 127.0.0.2, cluster3 127.0.0.3 with auth+TLS).
	hack/cassandra.sh start

.PHONY: cassandra-stop
cassandra-stop: ## Stop the local Cassandra clusters.
	hack/cassandra.sh stop

.PHONY: cassandra-status
cassandra-status: ## Show the local Cassandra clusters.
	hack/cassandra.sh status

##@ Build and run

.PHONY: build
build: manifests generate fmt vet cli ## Build the manager into bin/manager, and the CLI (see cli).
	go build -o bin/manager ./cmd

.PHONY: cli
cli: ## Build the CLI into bin/cqlsync, and bin/kubectl-cqlsync for `kubectl cqlsync` (put bin/ on PATH).
	go build -o bin/cqlsync ./cmd/cqlsync
	cp bin/cqlsync bin/kubectl-cqlsync

.PHONY: run
run: manifests generate fmt vet control-plane ## Run bin/manager: against $$KUBECONFIG if set, else in a local Kubernetes (hack/localenv) + local Cassandra.
	hack/run.sh

.PHONY: test
test: manifests generate fmt vet control-plane helm ## Run every test: unit, envtest + real Cassandra, fuzz seeds, e2e and packaging.
	hack/test.sh

.PHONY: test-faults
test-faults: manifests generate control-plane ## Run the fault suite: a rollout through 20 leader kills, a Cassandra node restart and a kube-apiserver restart (about 5 minutes).
	hack/test.sh faults

.PHONY: test-compat
test-compat: manifests generate control-plane ## Run the compatibility tests against Cassandra 4.0 and 4.1 (rig nodes v40 and v41): connection, defaults, import round trip, plan, drift, UnsupportedByServer (about 2 minutes).
	hack/test.sh compat

.PHONY: bench
bench: manifests generate control-plane ## Measure a rollout of 100/300/500 TableModels against the floor and cqlengine, a resync, and the manager's RSS (about an hour on 2 cores; CQLSYNC_BENCH_REPEAT=1: about 25 minutes).
	bash hack/bench.sh

.PHONY: bench-backfill
bench-backfill: manifests generate control-plane ## Measure a Backfill of 1,000,000 rows on cluster1 against a copy loop in the benchmark (the floor), the manager's RSS growth, and spec.rowsPerSecond (CQLSYNC_BENCH_BACKFILL_ROWS, CQLSYNC_BENCH_BACKFILL_RATE).
	bash hack/bench.sh Backfill

.PHONY: test-unit
test-unit: ## Run the unit tests only (no control plane, no Cassandra).
	go test ./api/... ./internal/... ./controllers/... -run 'Unit|^Test[^I]' -short

.PHONY: docker-build
docker-build: ## Build the container image (needs a container engine).
	docker build -t $(IMG) .

IMAGE_TAR ?= bin/image/cqlsync.tar
.PHONY: image
image: ## Build the image for linux/amd64 and linux/arm64 without a container engine, as an OCI archive into $$IMAGE_TAR (docs/image.md).
	go run ./hack/image -o $(IMAGE_TAR) -name $(IMG)

##@ Deployment

.PHONY: install
install: manifests ## Install the CRDs and the admission policies into the cluster of the current kubeconfig.
	$(KUBECTL) apply --server-side -k config/crd
	$(KUBECTL) apply --server-side -k config/admission

.PHONY: uninstall
uninstall: manifests ## Remove the admission policies and the CRDs (and every cqlsync resource) from the cluster.
	$(KUBECTL) delete --ignore-not-found -k config/admission
	$(KUBECTL) delete --ignore-not-found -k config/crd

.PHONY: deploy
deploy: manifests ## Deploy the operator (image $$IMG) into the cluster of the current kubeconfig.
	cd config/manager && $(KUBECTL) kustomize . >/dev/null
	$(KUBECTL) kustomize config/default | sed "s|image: cqlsync:latest|image: $(IMG)|; s|--backfill-image=cqlsync:latest|--backfill-image=$(IMG)|" | $(KUBECTL) apply --server-side -f -

.PHONY: undeploy
undeploy: ## Remove the operator from the cluster.
	$(KUBECTL) kustomize config/default | $(KUBECTL) delete --ignore-not-found -f -
