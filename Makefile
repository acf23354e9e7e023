# Convenience targets; CI runs .ci/run.
.PHONY: build test race lint bench update-golden fuzz

build:
	go build -o wacost .

test:
	go test ./...

race:
	go test -race ./...

lint:
	gofmt -l . && go vet ./...

bench:
	go test -run '^$$' -bench . -benchmem ./...

update-golden:
	go test ./cmd -update

fuzz: # each target on its own (-fuzz takes one), a minute each
	@grep -E '^[a-z]+ Fuzz' .ci/run | while read -r pkg target execs; do \
		go test -run '^$$' -fuzz "^$$target\$$" -fuzztime 60s ./$$pkg || exit 1; \
	done
