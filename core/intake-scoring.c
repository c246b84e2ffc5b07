/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The screening result.  The rules live in the form (its "scoring" section); this file only
 * knows the generic machinery: an indicator is present, absent, unsure or missing; dimensions
 * are met by thresholds of present indicators by strength; rules are expressions over
 * dimension(), insufficient(), indicators() and the answers, tried in order.
 */
#include "intake-scoring-private.h"

#include <string.h>

typedef enum
{
  STATE_HIDDEN,  /* Its question is not relevant: it does not count at all. */
  STATE_MISSING, /* Unanswered or "prefer not to say". */
  STATE_UNSURE,  /* Counts for nothing, but asks for a follow-up. */
  STATE_ABSENT,
  STATE_PRESENT,
} IndicatorState;

typedef struct
{
  const IntakeNamedText *dimension;
  int counts[3]; /* Present, by IntakeStrength. */
  int items;
  int missing;
  gboolean met;
  gboolean insufficient;
} DimensionState;

typedef struct
{
  const IntakeScoringSource *source;
  IntakeScoring *scoring;
  IndicatorState *states; /* By position in scoring->indicators. */
  DimensionState *dimensions;
} Scorer;

static gboolean
list_contains (JsonNode *answer, const char *name)
{
  JsonArray *array;

  if (JSON_NODE_HOLDS_VALUE (answer) && json_node_get_value_type (answer) == G_TYPE_STRING)
    return strcmp (json_node_get_string (answer), name) == 0;
  if (!JSON_NODE_HOLDS_ARRAY (answer))
    return FALSE;
  array = json_node_get_array (answer);
  for (unsigned int i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING
          && strcmp (json_node_get_string (element), name) == 0)
        return TRUE;
    }
  return FALSE;
}

static IndicatorState
indicator_state (Scorer *scorer, const IntakeIndicator *indicator)
{
  const IntakeQuestion *q = indicator->question;
  JsonNode *answer;
  const char *problem;
  g_auto(IntakeValue) value = INTAKE_VALUE_INIT;

  if (!scorer->source->relevant (scorer->source->data, q))
    return STATE_HIDDEN;
  answer = scorer->source->answer (scorer->source->data, q);
  /* A wrong-shaped answer cannot be read, so it is as good as missing. */
  if (answer == NULL || scorer->source->is_declined (answer)
      || !_intake_question_check_value (q, answer, &problem))
    return STATE_MISSING;
  scorer->source->to_value (answer, &value);
  if (intake_value_is_empty (&value))
    return STATE_MISSING;
  if (list_contains (answer, scorer->scoring->unsure_value))
    return STATE_UNSURE;

  if (indicator->choice >= 0)
    {
      const char *name = intake_question_get_choice_name (q, (unsigned int) indicator->choice);

      return list_contains (answer, name) ? STATE_PRESENT : STATE_ABSENT;
    }
  if (indicator->present_when != NULL)
    {
      g_auto(IntakeValue) result = INTAKE_VALUE_INIT;

      scorer->source->evaluate (scorer->source->data, indicator->present_when, &value, NULL, NULL,
                                     &result);
      return intake_value_to_boolean (&result) ? STATE_PRESENT : STATE_ABSENT;
    }
  /* A yes/no item: "yes" is present; a reverse-coded item ("free to leave?") is present on "no". */
  return list_contains (answer, indicator->reverse ? scorer->scoring->no_value
                                                   : scorer->scoring->yes_value)
           ? STATE_PRESENT
           : STATE_ABSENT;
}

static DimensionState *
find_dimension (Scorer *scorer, const char *id)
{
  for (unsigned int i = 0; i < scorer->scoring->dimensions->len; i++)
    if (strcmp (scorer->dimensions[i].dimension->id, id) == 0)
      return &scorer->dimensions[i];
  return NULL;
}

static gboolean
indicator_matches (const IntakeIndicator *indicator, const char *filter)
{
  return strcmp (filter, _intake_strength_to_string (indicator->strength)) == 0
         || strcmp (filter, indicator->dimension) == 0 || strcmp (filter, indicator->id) == 0
         || g_strv_contains ((const char *const *) indicator->tags, filter);
}

/* dimension(id), insufficient([id]) and indicators([filter]) for the rules' expressions. */
static void
call_cb (const char *function, const IntakeValue *args, unsigned int n_args, IntakeValue *out,
         gpointer user_data)
{
  Scorer *scorer = user_data;
  g_autofree char *arg = n_args > 0 ? intake_value_dup_string (&args[0]) : NULL;

  if (strcmp (function, "dimension") == 0)
    {
      DimensionState *d = find_dimension (scorer, arg);

      intake_value_set_boolean (out, d != NULL && d->met);
    }
  else if (strcmp (function, "insufficient") == 0)
    {
      gboolean any = FALSE;

      for (unsigned int i = 0; i < scorer->scoring->dimensions->len; i++)
        if (arg == NULL || strcmp (scorer->dimensions[i].dimension->id, arg) == 0)
          any = any || scorer->dimensions[i].insufficient;
      intake_value_set_boolean (out, any);
    }
  else if (strcmp (function, "indicators") == 0)
    {
      double count = 0;

      for (unsigned int i = 0; i < scorer->scoring->indicators->len; i++)
        {
          const IntakeIndicator *indicator = scorer->scoring->indicators->pdata[i];

          if (scorer->states[i] == STATE_PRESENT
              && (arg == NULL || indicator_matches (indicator, arg)))
            count++;
        }
      intake_value_set_number (out, count);
    }
}

static gboolean
rule_matches (Scorer *scorer, const IntakeRule *rule)
{
  g_auto(IntakeValue) result = INTAKE_VALUE_INIT;

  scorer->source->evaluate (scorer->source->data, rule->when, NULL, call_cb, scorer, &result);
  return intake_value_to_boolean (&result);
}

static void
add_text (JsonBuilder *builder, const char *member, IntakeForm *form, IntakeText *text,
          const char *language)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_string_value (builder, _intake_text_get (form, text, language));
}

/* The answers a rule read, so the reader sees why it fired. */
static void
add_rule_answers (JsonBuilder *builder, const char *member, const IntakeScoringSource *source,
                  const IntakeRule *rule)
{
  IntakeForm *form = source->form;
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);

  intake_expr_collect_references (rule->when, names);
  json_builder_set_member_name (builder, member);
  json_builder_begin_array (builder);
  for (unsigned int i = 0; i < intake_form_get_n_questions (form); i++)
    {
      const IntakeQuestion *q = intake_form_get_question (form, i);
      JsonNode *answer;

      if (!g_hash_table_contains (names, q->name)
          || !source->relevant (source->data, q))
        continue;
      answer = source->answer (source->data, q);
      if (answer == NULL)
        continue;
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "question");
      json_builder_add_string_value (builder, q->name);
      json_builder_set_member_name (builder, "answer");
      json_builder_add_value (builder, json_node_copy (answer));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static void
add_question_list (JsonBuilder *builder, const char *member, Scorer *scorer, IndicatorState state)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  json_builder_set_member_name (builder, member);
  json_builder_begin_array (builder);
  for (unsigned int i = 0; i < scorer->scoring->indicators->len; i++)
    {
      const IntakeIndicator *indicator = scorer->scoring->indicators->pdata[i];

      if (scorer->states[i] == state && g_hash_table_add (seen, indicator->question->name))
        json_builder_add_string_value (builder, indicator->question->name);
    }
  json_builder_end_array (builder);
}

JsonNode *
_intake_scoring_evaluate (const IntakeScoringSource *source)
{
  IntakeForm *form = source->form;
  IntakeScoring *scoring = _intake_form_get_scoring (form);
  const char *language = source->language;
  g_autofree IndicatorState *states = g_new0 (IndicatorState, scoring->indicators->len + 1);
  g_autofree DimensionState *dimensions = g_new0 (DimensionState, scoring->dimensions->len + 1);
  Scorer scorer = { source, scoring, states, dimensions };
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(GHashTable) referrals = g_hash_table_new (g_str_hash, g_str_equal);
  const IntakeRule *matched = NULL;
  const char *level;
  g_autoptr(GPtrArray) urgent_rules = g_ptr_array_new ();

  for (unsigned int i = 0; i < scoring->dimensions->len; i++)
    dimensions[i].dimension = scoring->dimensions->pdata[i];

  for (unsigned int i = 0; i < scoring->indicators->len; i++)
    {
      const IntakeIndicator *indicator = scoring->indicators->pdata[i];
      DimensionState *d = find_dimension (&scorer, indicator->dimension);

      states[i] = indicator_state (&scorer, indicator);
      if (d == NULL || states[i] == STATE_HIDDEN)
        continue;
      d->items++;
      if (states[i] == STATE_MISSING)
        d->missing++;
      else if (states[i] == STATE_PRESENT)
        d->counts[indicator->strength]++;
    }
  for (unsigned int i = 0; i < scoring->dimensions->len; i++)
    {
      DimensionState *d = &dimensions[i];

      for (unsigned int k = 0; k < scoring->thresholds->len && !d->met; k++)
        {
          IntakeThreshold *t = &g_array_index (scoring->thresholds, IntakeThreshold, k);

          d->met = d->counts[INTAKE_STRENGTH_STRONG] >= t->strong
                   && d->counts[INTAKE_STRENGTH_MEDIUM] >= t->medium
                   && d->counts[INTAKE_STRENGTH_WEAK] >= t->weak;
        }
      /* Both the share and the count: with a ratio alone, one "prefer not to say" in a
       * two-item dimension would make the whole screening "insufficient". */
      d->insufficient = d->items > 0 && d->missing >= scoring->missing_ratio * d->items
                        && d->missing >= scoring->missing_min;
    }

  json_builder_begin_object (builder);

  /* Urgent first: it overrides everything and the window shows it before anything else. */
  for (unsigned int i = 0; i < scoring->urgent->len; i++)
    if (rule_matches (&scorer, scoring->urgent->pdata[i]))
      g_ptr_array_add (urgent_rules, scoring->urgent->pdata[i]);
  json_builder_set_member_name (builder, "urgent");
  json_builder_add_boolean_value (builder, urgent_rules->len > 0);
  json_builder_set_member_name (builder, "urgent_reasons");
  json_builder_begin_array (builder);
  for (unsigned int i = 0; i < urgent_rules->len; i++)
    {
      const IntakeRule *rule = urgent_rules->pdata[i];

      for (size_t k = 0; rule->referrals[k] != NULL; k++)
        g_hash_table_add (referrals, rule->referrals[k]);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "rule");
      json_builder_add_string_value (builder, rule->id);
      add_text (builder, "label", form, rule->label, language);
      add_rule_answers (builder, "answers", source, rule);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  for (unsigned int i = 0; i < scoring->rules->len && matched == NULL; i++)
    if (rule_matches (&scorer, scoring->rules->pdata[i]))
      matched = scoring->rules->pdata[i];
  level = matched != NULL ? matched->level : scoring->default_level;
  json_builder_set_member_name (builder, "level");
  json_builder_add_string_value (builder, level);
  add_text (builder, "level_label", form, g_hash_table_lookup (scoring->levels, level), language);
  json_builder_set_member_name (builder, "rule");
  if (matched != NULL)
    {
      json_builder_add_string_value (builder, matched->id);
      add_text (builder, "rule_label", form, matched->label, language);
      for (size_t k = 0; matched->referrals[k] != NULL; k++)
        g_hash_table_add (referrals, matched->referrals[k]);
      add_rule_answers (builder, "rule_answers", source, matched);
    }
  else
    {
      /* The same members every time, so readers need no special case. */
      json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "rule_label");
      json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "rule_answers");
      json_builder_begin_array (builder);
      json_builder_end_array (builder);
    }

  json_builder_set_member_name (builder, "reasons");
  json_builder_begin_array (builder);
  for (unsigned int i = 0; i < scoring->indicators->len; i++)
    {
      const IntakeIndicator *indicator = scoring->indicators->pdata[i];
      JsonNode *answer;

      if (states[i] != STATE_PRESENT)
        continue;
      answer = source->answer (source->data, indicator->question);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "question");
      json_builder_add_string_value (builder, indicator->question->name);
      json_builder_set_member_name (builder, "answer");
      json_builder_add_value (builder, json_node_copy (answer));
      json_builder_set_member_name (builder, "indicator");
      json_builder_add_string_value (builder, indicator->id);
      json_builder_set_member_name (builder, "dimension");
      json_builder_add_string_value (builder, indicator->dimension);
      json_builder_set_member_name (builder, "strength");
      json_builder_add_string_value (builder, _intake_strength_to_string (indicator->strength));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "dimensions");
  json_builder_begin_array (builder);
  for (unsigned int i = 0; i < scoring->dimensions->len; i++)
    {
      DimensionState *d = &dimensions[i];

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, d->dimension->id);
      add_text (builder, "label", form, d->dimension->label, language);
      json_builder_set_member_name (builder, "met");
      json_builder_add_boolean_value (builder, d->met);
      json_builder_set_member_name (builder, "strong");
      json_builder_add_int_value (builder, d->counts[INTAKE_STRENGTH_STRONG]);
      json_builder_set_member_name (builder, "medium");
      json_builder_add_int_value (builder, d->counts[INTAKE_STRENGTH_MEDIUM]);
      json_builder_set_member_name (builder, "weak");
      json_builder_add_int_value (builder, d->counts[INTAKE_STRENGTH_WEAK]);
      json_builder_set_member_name (builder, "items");
      json_builder_add_int_value (builder, d->items);
      json_builder_set_member_name (builder, "missing");
      json_builder_add_int_value (builder, d->missing);
      json_builder_set_member_name (builder, "insufficient");
      json_builder_add_boolean_value (builder, d->insufficient);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  add_question_list (builder, "follow_up", &scorer, STATE_UNSURE);
  add_question_list (builder, "missing", &scorer, STATE_MISSING);

  json_builder_set_member_name (builder, "referrals");
  json_builder_begin_array (builder);
  for (unsigned int i = 0; i < scoring->referrals->len; i++)
    {
      const IntakeNamedText *referral = scoring->referrals->pdata[i];

      if (!g_hash_table_contains (referrals, referral->id))
        continue;
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, referral->id);
      add_text (builder, "label", form, referral->label, language);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  add_text (builder, "disclaimer", form, scoring->disclaimer, language);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}
