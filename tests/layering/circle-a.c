/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Half of a deliberate circle for tests/layering: a calls b, b calls a. */
int layering_circle_a (int n);
int layering_circle_b (int n);

int
layering_circle_a (int n)
{
  return n <= 0 ? 0 : layering_circle_b (n - 1) + 1;
}
