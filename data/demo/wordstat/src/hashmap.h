/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hashmap.h - an open-addressing string -> count map for wordstat.
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
#ifndef WORDSTAT_HASHMAP_H
#define WORDSTAT_HASHMAP_H

#include <stddef.h>

struct entry {
	char *word;
	size_t count;
};

struct hashmap {
	struct entry *slots;
	size_t capacity;	/* always a power of two */
	size_t used;
};

int hashmap_init(struct hashmap *map, size_t capacity);
int hashmap_add(struct hashmap *map, const char *word, size_t len);
struct entry *hashmap_sorted(const struct hashmap *map, size_t *n);
void hashmap_free(struct hashmap *map);

#endif /* WORDSTAT_HASHMAP_H */
