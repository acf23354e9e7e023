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

fuzz:
	go test -run '^$$' -fuzz FuzzCSV -fuzztime 60s ./msglog
	go test -run '^$$' -fuzz FuzzNDJSON -fuzztime 60s ./msglog
