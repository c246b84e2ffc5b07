/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The loader of a form's scoring section: dimensions, referrals, thresholds, the values read as
 * yes, no and unsure, the levels' labels, and the rules and urgent rules.  Apart from the
 * question parser because it is its own part of the document, read in two halves around the
 * questions; intake-scoring.c is what evaluates it.
 */
#include "intake-form-loader-private.h"

static gboolean
parse_named_list (IntakeFormLoader *loader, JsonObject *object, const char *member,
                  const char *kind, gboolean required, GPtrArray **out)
{
  static const char *const allowed[] = { "id", "label", NULL };
  JsonArray *array;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  *out = g_ptr_array_new_with_free_func ((GDestroyNotify) _intake_named_text_free);
  if (!_intake_loader_get_array (loader, object, member, required, NULL, &array))
    return FALSE;
  for (unsigned int i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autofree char *where = g_strdup_printf ("scoring %s %u", member, i + 1);
      IntakeNamedText *named;
      const char *id;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, NULL,
                                    "%s is not an object", where);
      if (!_intake_loader_check_members (loader, json_node_get_object (element), allowed, NULL,
                                         where)
          || !_intake_loader_get_string (loader, json_node_get_object (element), "id", TRUE, NULL,
                                         &id))
        return FALSE;
      if (!_intake_loader_is_valid_code (id) || !g_hash_table_add (seen, (gpointer) id))
        return _intake_loader_fail (loader, INTAKE_FORM_ERROR_DUPLICATE_NAME, NULL,
                                    "%s: id '%s' is empty, holds spaces or is used twice", where,
                                    id);
      named = g_new0 (IntakeNamedText, 1);
      named->id = g_strdup (id);
      g_ptr_array_add (*out, named);
      loader->kind = kind;
      if (!_intake_loader_get_text (loader, json_node_get_object (element), "label", TRUE, id,
                                    &named->label))
        return FALSE;
      loader->kind = NULL;
    }
  return TRUE;
}

gboolean
_intake_loader_parse_scoring_head (IntakeFormLoader *loader, JsonObject *object)
{
  static const char *const allowed[] = {
    "dimensions", "thresholds", "missing_ratio", "missing_min", "unsure_value", "yes_value",
    "no_value", "levels", "default_level", "rules", "urgent", "referrals", "disclaimer", NULL,
  };
  IntakeScoring *scoring = g_new0 (IntakeScoring, 1);
  JsonArray *thresholds;
  JsonNode *ratio;
  JsonNode *min;
  const char *value;

  loader->form->scoring = scoring;
  scoring->thresholds = g_array_new (FALSE, TRUE, sizeof (IntakeThreshold));
  scoring->rules = g_ptr_array_new_with_free_func ((GDestroyNotify) _intake_rule_free);
  scoring->urgent = g_ptr_array_new_with_free_func ((GDestroyNotify) _intake_rule_free);
  scoring->levels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify) g_hash_table_unref);
  scoring->indicators = g_ptr_array_new ();
  scoring->missing_ratio = 0.5;
  scoring->missing_min = 1;

  if (!_intake_loader_check_members (loader, object, allowed, NULL, "scoring")
      || !parse_named_list (loader, object, "dimensions", "dimension", TRUE,
                            &scoring->dimensions)
      || !parse_named_list (loader, object, "referrals", "referral", FALSE,
                            &scoring->referrals)
      || !_intake_loader_get_array (loader, object, "thresholds", TRUE, NULL, &thresholds)
      || !_intake_loader_get_text (loader, object, "disclaimer", TRUE, NULL, &scoring->disclaimer))
    return FALSE;

  for (unsigned int i = 0; i < json_array_get_length (thresholds); i++)
    {
      static const char *const names[] = { "strong", "medium", "weak", NULL };
      JsonNode *element = json_array_get_element (thresholds, i);
      IntakeThreshold threshold = { 0, 0, 0 };
      int *counts[] = { &threshold.strong, &threshold.medium, &threshold.weak };

      if (!JSON_NODE_HOLDS_OBJECT (element))
        return _intake_loader_fail (
            loader, INTAKE_FORM_ERROR_MALFORMED, NULL,
            "scoring threshold %u must be an object of strong, medium and weak counts", i + 1);
      if (!_intake_loader_check_members (loader, json_node_get_object (element), names, NULL,
                                         "a scoring threshold"))
        return FALSE;
      for (int k = 0; names[k] != NULL; k++)
        {
          JsonNode *count = json_object_get_member (json_node_get_object (element), names[k]);

          if (count == NULL)
            continue;
          if (!JSON_NODE_HOLDS_VALUE (count) || json_node_get_value_type (count) != G_TYPE_INT64
              || json_node_get_int (count) < 0 || json_node_get_int (count) > 100)
            return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, NULL,
                                        "scoring threshold %u: '%s' must be a count from 0 to 100",
                                        i + 1, names[k]);
          *counts[k] = (int) json_node_get_int (count);
        }
      if (threshold.strong + threshold.medium + threshold.weak == 0)
        return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, NULL,
                                    "scoring threshold %u would be met by nothing at all", i + 1);
      g_array_append_val (scoring->thresholds, threshold);
    }
  if (scoring->thresholds->len == 0)
    return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, NULL,
                                "scoring has no thresholds");

  ratio = json_object_get_member (object, "missing_ratio");
  if (ratio != NULL)
    {
      if (!JSON_NODE_HOLDS_VALUE (ratio)
          || (json_node_get_value_type (ratio) != G_TYPE_DOUBLE
              && json_node_get_value_type (ratio) != G_TYPE_INT64)
          || json_node_get_double (ratio) <= 0.0 || json_node_get_double (ratio) > 1.0)
        return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, NULL,
                                    "scoring missing_ratio must be a number above 0 and at most 1");
      scoring->missing_ratio = json_node_get_double (ratio);
    }
  min = json_object_get_member (object, "missing_min");
  if (min != NULL)
    {
      if (!JSON_NODE_HOLDS_VALUE (min) || json_node_get_value_type (min) != G_TYPE_INT64
          || json_node_get_int (min) < 1 || json_node_get_int (min) > 100)
        return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, NULL,
                                    "scoring missing_min must be a whole number from 1 to 100");
      scoring->missing_min = (int) json_node_get_int (min);
    }

  if (!_intake_loader_get_string (loader, object, "unsure_value", FALSE, NULL, &value))
    return FALSE;
  scoring->unsure_value = g_strdup (value != NULL ? value : "unsure");
  if (!_intake_loader_get_string (loader, object, "yes_value", FALSE, NULL, &value))
    return FALSE;
  scoring->yes_value = g_strdup (value != NULL ? value : "yes");
  if (!_intake_loader_get_string (loader, object, "no_value", FALSE, NULL, &value))
    return FALSE;
  scoring->no_value = g_strdup (value != NULL ? value : "no");
  if (!_intake_loader_get_string (loader, object, "default_level", FALSE, NULL, &value))
    return FALSE;
  scoring->default_level = g_strdup (value != NULL ? value : "no_indicators");
  return TRUE;
}

static gboolean
check_level_label (IntakeFormLoader *loader, const char *level, const char *name)
{
  IntakeScoring *scoring = loader->form->scoring;

  if (!g_strv_contains (_intake_levels, level))
    return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, name, "unknown level '%s'",
                                level);
  if (!g_hash_table_contains (scoring->levels, level))
    return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MISSING_TRANSLATION, name,
                                "level '%s' has no label in scoring levels", level);
  return TRUE;
}

static gboolean
parse_rules (IntakeFormLoader *loader, JsonObject *object, const char *member, gboolean urgent)
{
  static const char *const allowed[] = { "id", "level", "when", "label", "referrals", NULL };
  IntakeScoring *scoring = loader->form->scoring;
  GPtrArray *rules = urgent ? scoring->urgent : scoring->rules;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *array;

  if (!_intake_loader_get_array (loader, object, member, !urgent, NULL, &array))
    return FALSE;
  for (unsigned int i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autofree char *where = g_strdup_printf ("scoring %s %u", member, i + 1);
      JsonObject *rule_object;
      JsonArray *referrals;
      IntakeRule *rule;
      const char *id, *level;
      g_autoptr(GPtrArray) referral_ids = g_ptr_array_new_with_free_func (g_free);

      if (!JSON_NODE_HOLDS_OBJECT (element))
        return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, NULL,
                                    "%s is not an object", where);
      rule_object = json_node_get_object (element);
      if (!_intake_loader_check_members (loader, rule_object, allowed, NULL, where)
          || !_intake_loader_get_string (loader, rule_object, "id", TRUE, NULL, &id)
          || !_intake_loader_get_string (loader, rule_object, "level", !urgent, NULL, &level)
          || !_intake_loader_get_array (loader, rule_object, "referrals", FALSE, NULL, &referrals))
        return FALSE;
      if (!_intake_loader_is_valid_code (id) || !g_hash_table_add (seen, (gpointer) id))
        return _intake_loader_fail (loader, INTAKE_FORM_ERROR_DUPLICATE_NAME, NULL,
                                    "%s: id '%s' is empty, holds spaces or is used twice", where,
                                    id);
      loader->kind = urgent ? "urgent rule" : "rule";
      if (urgent && level != NULL)
        return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, id,
                                    "an urgent rule has no level");
      if (level != NULL && !check_level_label (loader, level, id))
        return FALSE;

      rule = g_new0 (IntakeRule, 1);
      rule->id = g_strdup (id);
      rule->level = g_strdup (level);
      g_ptr_array_add (rules, rule);
      if (!_intake_loader_get_text (loader, rule_object, "label", TRUE, id, &rule->label)
          || !_intake_loader_parse_expression (loader, rule_object, "when",
                                               INTAKE_EXPR_PARSE_SCORING, id, &rule->when))
        return FALSE;
      if (rule->when == NULL)
        return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, id, "'when' is missing");
      if (!_intake_loader_check_references (loader, rule->when, NULL, id, "when"))
        return FALSE;
      for (unsigned int k = 0; referrals != NULL && k < json_array_get_length (referrals); k++)
        {
          JsonNode *ref = json_array_get_element (referrals, k);

          if (!JSON_NODE_HOLDS_VALUE (ref) || json_node_get_value_type (ref) != G_TYPE_STRING
              || _intake_scoring_lookup (scoring->referrals, json_node_get_string (ref)) == NULL)
            return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, id,
                                        "referral %u is not one of scoring referrals", k + 1);
          g_ptr_array_add (referral_ids, g_strdup (json_node_get_string (ref)));
        }
      g_ptr_array_add (referral_ids, NULL);
      rule->referrals = (GStrv) g_ptr_array_free (g_steal_pointer (&referral_ids), FALSE);
      loader->kind = NULL;
    }
  return TRUE;
}

gboolean
_intake_loader_parse_scoring_tail (IntakeFormLoader *loader, JsonObject *object)
{
  IntakeScoring *scoring = loader->form->scoring;
  JsonObject *levels;
  JsonObjectIter iter;
  const char *level;
  JsonNode *node;

  if (!_intake_loader_get_object (loader, object, "levels", TRUE, NULL, &levels))
    return FALSE;
  json_object_iter_init (&iter, levels);
  while (json_object_iter_next (&iter, &level, &node))
    {
      IntakeText *text;

      loader->kind = "level";
      if (!g_strv_contains (_intake_levels, level))
        return _intake_loader_fail (loader, INTAKE_FORM_ERROR_MALFORMED, level, "unknown level");
      if (!_intake_loader_get_text (loader, levels, level, TRUE, level, &text))
        return FALSE;
      g_hash_table_insert (scoring->levels, g_strdup (level), text);
    }
  loader->kind = "scoring";
  if (!check_level_label (loader, scoring->default_level, "default_level"))
    return FALSE;
  loader->kind = NULL;
  if (!parse_rules (loader, object, "rules", FALSE)
      || !parse_rules (loader, object, "urgent", TRUE))
    return FALSE;
  return TRUE;
}
