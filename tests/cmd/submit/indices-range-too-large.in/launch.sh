#!/bin/bash
# The trainer would run here: python train.py $1
echo "$1"
