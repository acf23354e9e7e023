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

fuzz: # each target on its own (-fuzz takes one)
	for f in FuzzCSV FuzzCSVFastColumnsEqualPlain FuzzCSVPartsEqualWhole FuzzNDJSON FuzzNDJSONFastEqualsSlow; do \
		go test -run '^$$' -fuzz "^$$f\$$" -fuzztime 60s ./msglog || exit 1; \
	done
