#!/bin/bash
echo "launched with: $1"
