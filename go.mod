module github.com/pushpull/pushpull

go 1.26.0

require (
	github.com/HdrHistogram/hdrhistogram-go v1.4.0
	go.yaml.in/yaml/v4 v4.0.0
	golang.org/x/time v0.16.0
)
