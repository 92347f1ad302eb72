#!/bin/bash
echo "about to be killed"
kill -TERM $$
echo "not reached"
