/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * wordstat - print the most frequent words of text files.
 * Copyright (C) 2022 Ilse Vermeulen
 *
 * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.
 *
 * This program is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
 * GNU General Public License for more details.
 *
 * You should have received a copy of the GNU General Public License
 * along with this program.  If not, see <https://www.gnu.org/licenses/>.
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hashmap.h"

#define MAX_WORD 256

static int count_stream(FILE *in, struct hashmap *map)
{
	char word[MAX_WORD];
	size_t len = 0;
	int c;

	while ((c = getc(in)) != EOF) {
		if (isalnum(c) || c == '\'' || c == '-') {
			if (len < MAX_WORD - 1)
				word[len++] = (char)tolower(c);
			continue;
		}
		if (len > 0 && hashmap_add(map, word, len) != 0)
			return -1;
		len = 0;
	}
	if (len > 0 && hashmap_add(map, word, len) != 0)
		return -1;
	return ferror(in) ? -1 : 0;
}

static void usage(const char *prog)
{
	fprintf(stderr, "usage: %s [-n COUNT] [FILE...]\n", prog);
}

int main(int argc, char **argv)
{
	struct hashmap map;
	long top = 10;
	int opt, status = EXIT_SUCCESS;

	while ((opt = getopt(argc, argv, "n:h")) != -1) {
		switch (opt) {
		case 'n':
			top = strtol(optarg, NULL, 10);
			if (top <= 0) {
				fprintf(stderr, "%s: -n wants a positive number\n", argv[0]);
				return EXIT_FAILURE;
			}
			break;
		default:
			usage(argv[0]);
			return opt == 'h' ? EXIT_SUCCESS : EXIT_FAILURE;
		}
	}

	if (hashmap_init(&map, 1024) != 0) {
		perror("wordstat");
		return EXIT_FAILURE;
	}

	if (optind == argc) {
		if (count_stream(stdin, &map) != 0)
			status = EXIT_FAILURE;
	}
	for (int i = optind; i < argc; i++) {
		FILE *in = fopen(argv[i], "r");
		if (!in) {
			fprintf(stderr, "wordstat: %s: %s\n", argv[i], strerror(errno));
			status = EXIT_FAILURE;
			continue;
		}
		if (count_stream(in, &map) != 0)
			status = EXIT_FAILURE;
		fclose(in);
	}

	size_t n;
	struct entry *sorted = hashmap_sorted(&map, &n);
	if (!sorted) {
		perror("wordstat");
		hashmap_free(&map);
		return EXIT_FAILURE;
	}
	for (size_t i = 0; i < n && i < (size_t)top; i++)
		printf("%8zu %s\n", sorted[i].count, sorted[i].word);

	free(sorted);
	hashmap_free(&map);
	return status;
}
