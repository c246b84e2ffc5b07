/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The other half of the deliberate circle for tests/layering. */
int layering_circle_a (int n);
int layering_circle_b (int n);

int
layering_circle_b (int n)
{
  return n <= 0 ? 0 : layering_circle_a (n - 1) + 1;
}
