# minzheng — the two commands of the README, and a few conveniences.
#   make demo    install what is missing, build, prepare the demo database, run the server
#   make test    install what is missing, build with sanitizers, run every test suite
.PHONY: demo test build bench clean

LISTEN ?= 127.0.0.1:8080
DEMO_DB ?= var/demo.db

demo:
	@scripts/setup.sh
	@mkdir -p var
	@build/minzheng demo --db $(DEMO_DB)
	@echo
	@echo "  minzheng demo: http://$(LISTEN)/api/v1/health"
	@echo "  demo county:   http://$(LISTEN)/api/v1/regions/510824/children"
	@echo "  sign in:       POST /api/v1/auth/login with one of the demo logins printed above"
	@echo "  stop with Ctrl-C"
	@echo
	@exec build/minzheng serve --db $(DEMO_DB) --listen $(LISTEN)

test:
	@scripts/setup.sh --test
	@scripts/test.sh

build:
	@scripts/setup.sh

bench: build
	@bench/http/run.sh

clean:
	rm -rf build build-test
