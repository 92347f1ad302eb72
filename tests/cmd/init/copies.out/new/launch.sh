#!/bin/sh
echo copied "$1"
