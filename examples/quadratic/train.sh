#!/bin/bash
# A toy trainer that needs nothing but bash and awk: noisy gradient descent on a
# three-dimensional quadratic, so the loss curve looks like a real one. A small
# learning rate barely moves, a large one bounces around, weight decay trades a
# little training loss for a better validation loss.
#
#     bash train.sh lr=0.025 wd=0.01 seed=0 [steps=40]
#
# Inside a herd trial (HYPERHERD_TRIAL_ID is set) every step is logged with
# herd-log; run by hand, it only prints.
set -euo pipefail

lr=0.01 wd=0 seed=0 steps=40
for arg in "$@"; do
    case $arg in
        lr=*) lr=${arg#lr=} ;;
        wd=*) wd=${arg#wd=} ;;
        seed=*) seed=${arg#seed=} ;;
        steps=*) steps=${arg#steps=} ;;
        *=*) ;;                              # experiment_name=… and anything else
        *) echo "train.sh: expected name=value, got '$arg'" >&2; exit 2 ;;
    esac
done
delay=${QUADRATIC_DELAY:-0.05}             # seconds per step, to look busy

echo "training: lr=$lr wd=$wd seed=$seed steps=$steps"

# awk prints "step loss" per step, then "val <loss>".
curve() {
    awk -v lr="$lr" -v wd="$wd" -v seed="$seed" -v steps="$steps" '
    function gauss() { return sqrt(-2 * log(1 - rand())) * cos(6.283185307179586 * rand()) }
    BEGIN {
        srand(seed * 7919 + 17)
        n = 3; a[1] = 3; a[2] = 8; a[3] = 30          # curvatures
        t[1] = 3; t[2] = -2; t[3] = 1                 # the training optimum
        for (i = 1; i <= n; i++) w[i] = 0
        for (s = 1; s <= steps; s++) {
            for (i = 1; i <= n; i++) {
                g = a[i] * (w[i] - t[i]) + 30 * wd * w[i] + 2 * gauss()
                d = lr * g
                if (d > 0.4) d = 0.4                  # gradient clipping
                if (d < -0.4) d = -0.4
                w[i] -= d
            }
            loss = 0.05
            for (i = 1; i <= n; i++) loss += 0.5 * a[i] * (w[i] - t[i]) ^ 2
            printf "%d %.6g\n", s, loss * (1 + 0.02 * gauss())
        }
        val = 0.05                                    # held-out data: a shifted optimum
        for (i = 1; i <= n; i++) val += 0.5 * a[i] * (w[i] - 0.85 * t[i]) ^ 2
        printf "val %.6g\n", val
    }'
}

loss=
while read -r step value; do
    if [ "$step" = val ]; then
        val_loss=$value
        break
    fi
    loss=$value
    if [ $((step % 10)) -eq 0 ]; then
        echo "step $step  loss $loss"
    fi
    if [ -n "${HYPERHERD_TRIAL_ID:-}" ]; then
        # Exit status 3: the sweep asked this trial to stop (pruned or paused).
        herd-log loss "$loss" --step "$step" || exit 0
    fi
    sleep "$delay"
done < <(curve)

echo "final: loss $loss  val_loss $val_loss"
if [ -n "${HYPERHERD_TRIAL_ID:-}" ]; then
    herd-log final_loss "$loss" val_loss "$val_loss"
fi
