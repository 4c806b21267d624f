# `make test` is the project's test command: the browser test's dependencies
# (Debian's chromium, the pinned playwright-core), then the whole suite.
.PHONY: test browser-deps

test: browser-deps
	cargo test

browser-deps:
	bash tests/browser/install
