#!/bin/bash
# launch.sh: runs one trial of the sweep. herd calls it as
#     bash launch.sh "<overrides>"
# from the directory holding hyperherd.yaml: on a compute node for 'herd run',
# here in the foreground for 'herd test'. The ONE argument, "$1", holds all the
# trial's settings as name=value words, for example
#     experiment_name=lr-0.0001 learning_rate=0.0001
#
# The trial also finds its identity in the environment: HYPERHERD_WORKSPACE,
# HYPERHERD_TRIAL_ID, HYPERHERD_SWEEP_NAME and HYPERHERD_EXPERIMENT_NAME.
# Record results from the trainer (or from here) with herd-log:
#     herd-log val_loss 0.42                       a final value
#     herd-log loss 0.9 --step 100                 a curve
# With successive halving (herd-sh), 'herd-log --step' exits with status 3 when
# the trial is pruned or paused: stop there with exit 0 (any other failure is the
# trial's). A paused trial is resumed later as a new job, so save a checkpoint
# each step and start from it:
#     rc=0; herd-log loss "$loss" --step "$step" || rc=$?
#     if [ "$rc" = 3 ]; then exit 0; elif [ "$rc" != 0 ]; then exit "$rc"; fi
# (from Python: see 'man herd-log').
set -euo pipefail

# Set up the software first if your cluster needs it, for example
#     module load python/3.11
#     source ~/venvs/my-project/bin/activate
# or run the trainer in a container (put 'apptainer exec --nv my-image.sif'
# between 'exec' and 'python' below).

# Pass the settings on in the form your trainer reads. One line is active
# ('herd-init --trainer STYLE' chooses it); the others are here to switch to.
#
# parse-overrides: hyperherd.parse_overrides() reads sys.argv[1], the whole
# string as one argument:
#     exec python train.py "$1"
#
# hydra: Hydra takes one name=value word per setting:
read -r -a ARGS <<< "$1"; exec python train.py "${ARGS[@]}"
#
# argparse: argparse-style trainers take --name=value options:
#     read -r -a ARGS <<< "$1"; exec python train.py "${ARGS[@]/#/--}"
