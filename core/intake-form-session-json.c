/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The form session as JSON: the export of answers with calculations, the screening result
 * (through the scoring's table of callbacks) and the whole state the window and tools read.
 * Apart because it only reads the session through its public and private functions: it is the
 * top layer and nothing in the session calls it.
 */
#include "intake-form-session-struct-private.h"
#include "intake-scoring-private.h"

#include <math.h>

static JsonNode *
value_to_json (const IntakeValue *value)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  switch (value->kind)
    {
    case INTAKE_VALUE_NUMBER:
      if (isfinite (value->number))
        {
          if (value->number == trunc (value->number) && fabs (value->number) < 1e15)
            json_node_set_int (node, (gint64) value->number);
          else
            json_node_set_double (node, value->number);
          break;
        }
      json_node_set_string (node, "NaN");
      break;
    case INTAKE_VALUE_BOOLEAN:
      json_node_set_boolean (node, value->boolean);
      break;
    case INTAKE_VALUE_STRING:
    default:
      json_node_set_string (node, value->string != NULL ? value->string : "");
      break;
    }
  return node;
}

JsonObject *
intake_form_session_dup_export_answers (IntakeFormSession *self)
{
  JsonObject *export;

  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), NULL);

  export = json_object_new ();
  for (unsigned int i = 0; i < self->n; i++)
    {
      const IntakeQuestion *q = intake_form_get_question (self->form, i);
      JsonNode *answer;

      if (q->repeat != NULL || !self->relevant[q->index])
        continue;
      if (q->type == INTAKE_QUESTION_CALCULATE)
        {
          json_object_set_member (export, q->name, value_to_json (&self->values[q->index]));
          continue;
        }
      if (!intake_question_is_answerable (q))
        continue;
      answer = _intake_answer_in (self->answers, q);
      if (answer == NULL)
        continue;
      if (q->type == INTAKE_QUESTION_REPEAT && JSON_NODE_HOLDS_ARRAY (answer))
        {
          g_autoptr(JsonArray) entries = json_array_new ();

          _intake_form_session_check_repeat_entries (self, q, json_node_get_array (answer), NULL,
                                                     entries);
          json_object_set_array_member (export, q->name, g_steal_pointer (&entries));
          continue;
        }
      json_object_set_member (export, q->name, json_node_copy (answer));
    }
  return export;
}

static gboolean
scoring_relevant_cb (gpointer data, const IntakeQuestion *question)
{
  return _intake_form_session_question_relevant (data, question);
}

static JsonNode *
scoring_answer_cb (gpointer data, const IntakeQuestion *question)
{
  return _intake_form_session_effective_answer (data, question);
}

static void
scoring_evaluate_cb (gpointer data,
                     const IntakeExpr *expr,
                     const IntakeValue *dot,
                     IntakeExprCallFunc call,
                     gpointer call_data,
                     IntakeValue *out)
{
  _intake_form_session_evaluate (data, expr, dot, call, call_data, out);
}

JsonNode *
intake_form_session_dup_result_json (IntakeFormSession *self)
{
  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), NULL);

  if (!intake_form_has_scoring (self->form))
    return NULL;
  if (self->result == NULL)
    {
      IntakeScoringSource source = {
        .form = self->form,
        .language = intake_form_session_get_language (self),
        .data = self,
        .relevant = scoring_relevant_cb,
        .answer = scoring_answer_cb,
        .evaluate = scoring_evaluate_cb,
        .is_declined = intake_answer_is_declined,
        .to_value = _intake_answer_to_value,
      };

      self->result = _intake_scoring_evaluate (&source);
    }
  return json_node_copy (self->result);
}

JsonNode *
intake_form_session_dup_state_json (IntakeFormSession *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_auto(GStrv) visible = NULL;
  JsonNode *result;

  g_return_val_if_fail (INTAKE_IS_FORM_SESSION (self), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "form_id");
  json_builder_add_string_value (builder, intake_form_get_id (self->form));
  json_builder_set_member_name (builder, "form_version");
  json_builder_add_int_value (builder, intake_form_get_version (self->form));
  json_builder_set_member_name (builder, "language");
  json_builder_add_string_value (builder, self->language);
  json_builder_set_member_name (builder, "title");
  json_builder_add_string_value (builder, intake_form_get_title (self->form, self->language));

  json_builder_set_member_name (builder, "questions");
  json_builder_begin_array (builder);
  for (unsigned int i = 0; i < self->n; i++)
    {
      const IntakeQuestion *q = intake_form_get_question (self->form, i);
      const char *hint = intake_question_get_hint (q, self->language);
      JsonNode *answer = q->repeat == NULL ? _intake_answer_in (self->answers, q) : NULL;
      g_autofree char *problem = intake_form_session_dup_problem (self, q->name);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, q->name);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, intake_question_type_to_string (q->type));
      if (q->kind != NULL)
        {
          json_builder_set_member_name (builder, "kind");
          json_builder_add_string_value (builder, q->kind);
        }
      if (q->parent != NULL)
        {
          json_builder_set_member_name (builder, "parent");
          json_builder_add_string_value (builder, q->parent->name);
        }
      if (q->label != NULL)
        {
          g_autofree char *label = intake_form_session_dup_label (self, q->name);

          json_builder_set_member_name (builder, "label");
          json_builder_add_string_value (builder, label);
        }
      if (hint != NULL || q->child_hint != NULL)
        {
          g_autofree char *shown = intake_form_session_dup_hint (self, q->name);

          if (shown != NULL)
            {
              json_builder_set_member_name (builder, "hint");
              json_builder_add_string_value (builder, shown);
            }
        }
      json_builder_set_member_name (builder, "relevant");
      json_builder_add_boolean_value (builder, intake_form_session_is_relevant (self, q->name));
      json_builder_set_member_name (builder, "required");
      json_builder_add_boolean_value (builder, intake_form_session_is_required (self, q->name));
      json_builder_set_member_name (builder, "read_only");
      json_builder_add_boolean_value (builder, intake_form_session_is_read_only (self, q->name));
      json_builder_set_member_name (builder, "sensitive");
      json_builder_add_boolean_value (builder, q->sensitive);
      if (q->appearance != NULL)
        {
          json_builder_set_member_name (builder, "appearance");
          json_builder_add_string_value (builder, q->appearance);
        }
      json_builder_set_member_name (builder, "audience");
      json_builder_add_string_value (builder, q->audience);
      if (q->htcds != NULL)
        {
          json_builder_set_member_name (builder, "htcds");
          json_builder_add_string_value (builder, q->htcds);
        }
      if (q->choices != NULL)
        {
          json_builder_set_member_name (builder, "choices");
          json_builder_begin_array (builder);
          for (unsigned int k = 0; k < q->choices->len; k++)
            {
              json_builder_begin_object (builder);
              json_builder_set_member_name (builder, "name");
              json_builder_add_string_value (builder, intake_question_get_choice_name (q, k));
              json_builder_set_member_name (builder, "label");
              json_builder_add_string_value (builder,
                                             intake_question_get_choice_label (q, k,
                                                                               self->language));
              json_builder_end_object (builder);
            }
          json_builder_end_array (builder);
        }
      if (q->choice_filter != NULL && q->repeat == NULL)
        {
          g_auto(GStrv) offered = intake_form_session_dup_visible_choices (self, q->name);

          /* "choices" lists them all; these are the ones the filter offers now, in order. */
          json_builder_set_member_name (builder, "offered_choices");
          json_builder_begin_array (builder);
          for (size_t k = 0; offered[k] != NULL; k++)
            json_builder_add_string_value (builder, offered[k]);
          json_builder_end_array (builder);
        }
      if (answer != NULL)
        {
          json_builder_set_member_name (builder, "answer");
          json_builder_add_value (builder, json_node_copy (answer));
          json_builder_set_member_name (builder, "declined");
          json_builder_add_boolean_value (builder, intake_answer_is_declined (answer));
        }
      if (q->type == INTAKE_QUESTION_CALCULATE && q->repeat == NULL)
        {
          json_builder_set_member_name (builder, "value");
          json_builder_add_value (builder, value_to_json (&self->values[q->index]));
        }
      if (problem != NULL)
        {
          json_builder_set_member_name (builder, "problem");
          json_builder_add_string_value (builder, problem);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  visible = intake_form_session_dup_visible (self);
  json_builder_set_member_name (builder, "visible");
  json_builder_begin_array (builder);
  for (size_t i = 0; visible[i] != NULL; i++)
    json_builder_add_string_value (builder, visible[i]);
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "problems");
  json_builder_add_value (builder, intake_form_session_dup_problems_json (self));
  json_builder_set_member_name (builder, "complete");
  json_builder_add_boolean_value (builder, intake_form_session_is_complete (self));
  json_builder_set_member_name (builder, "result");
  result = intake_form_session_dup_result_json (self);
  if (result != NULL)
    json_builder_add_value (builder, result);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}
