# AWS SAM builds each function with its target (template.yaml: BuildMethod makefile).
PYTHON ?= python3

build-SkillFunction:
	$(PYTHON) -m backend.lambda_package skill "$(ARTIFACTS_DIR)"

build-WebFunction:
	$(PYTHON) -m backend.lambda_package web "$(ARTIFACTS_DIR)"

build-JobsFunction:
	$(PYTHON) -m backend.lambda_package jobs "$(ARTIFACTS_DIR)"
