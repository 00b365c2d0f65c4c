/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hashmap.c - an open-addressing string -> count map for wordstat.
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
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"

/* FNV-1a, 64 bit */
static uint64_t hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

int hashmap_init(struct hashmap *map, size_t capacity)
{
	size_t cap = 16;
	while (cap < capacity)
		cap <<= 1;
	map->slots = calloc(cap, sizeof(*map->slots));
	if (!map->slots)
		return -1;
	map->capacity = cap;
	map->used = 0;
	return 0;
}

static struct entry *find_slot(struct entry *slots, size_t capacity,
			       const char *word, size_t len)
{
	size_t i = hash(word, len) & (capacity - 1);
	while (slots[i].word) {
		if (strlen(slots[i].word) == len &&
		    memcmp(slots[i].word, word, len) == 0)
			return &slots[i];
		i = (i + 1) & (capacity - 1);
	}
	return &slots[i];
}

static int grow(struct hashmap *map)
{
	size_t cap = map->capacity * 2;
	struct entry *slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return -1;
	for (size_t i = 0; i < map->capacity; i++) {
		struct entry *old = &map->slots[i];
		if (old->word)
			*find_slot(slots, cap, old->word, strlen(old->word)) = *old;
	}
	free(map->slots);
	map->slots = slots;
	map->capacity = cap;
	return 0;
}

int hashmap_add(struct hashmap *map, const char *word, size_t len)
{
	if ((map->used + 1) * 4 > map->capacity * 3 && grow(map) != 0)
		return -1;
	struct entry *slot = find_slot(map->slots, map->capacity, word, len);
	if (!slot->word) {
		slot->word = strndup(word, len);
		if (!slot->word)
			return -1;
		map->used++;
	}
	slot->count++;
	return 0;
}

static int by_count_desc(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->word, y->word);
}

struct entry *hashmap_sorted(const struct hashmap *map, size_t *n)
{
	struct entry *out = malloc((map->used ? map->used : 1) * sizeof(*out));
	size_t k = 0;
	if (!out)
		return NULL;
	for (size_t i = 0; i < map->capacity; i++)
		if (map->slots[i].word)
			out[k++] = map->slots[i];
	qsort(out, k, sizeof(*out), by_count_desc);
	*n = k;
	return out;
}

void hashmap_free(struct hashmap *map)
{
	for (size_t i = 0; i < map->capacity; i++)
		free(map->slots[i].word);
	free(map->slots);
	map->slots = NULL;
	map->capacity = map->used = 0;
}
