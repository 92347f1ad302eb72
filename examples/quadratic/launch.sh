#!/bin/bash
# Runs one trial. herd calls it from this directory as
#     bash launch.sh "experiment_name=lr-0.0001_wd-0_seed-0 lr=0.0001 wd=0 seed=0"
set -euo pipefail

# The overrides as separate words (split at spaces; '*' and '?' are left alone).
read -r -a OVERRIDES <<< "$1"

exec bash "$(dirname "$0")/train.sh" "${OVERRIDES[@]}"
