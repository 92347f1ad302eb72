#!/bin/bash
# Shows what a trial receives, then exits with its 'code' parameter.
echo "arguments: $#"
echo "\$1: $1"
echo "cwd: $PWD"
env | grep -E '^(HYPERHERD_|FROM_DOTENV|KEPT)' | sort
echo ".hyperherd/: $(ls -A .hyperherd | tr '\n' ' ')"
read -r -a words <<< "$1"
for w in "${words[@]}"; do
    case $w in code=*) exit "${w#code=}" ;; esac
done
