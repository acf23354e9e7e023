module github.com/wacost/wacost/bench/loop

go 1.26
