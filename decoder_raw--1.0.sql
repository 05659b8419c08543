-- decoder_raw is an output plugin: this script creates no objects.
\echo Use "CREATE EXTENSION decoder_raw" to load this file. \quit
