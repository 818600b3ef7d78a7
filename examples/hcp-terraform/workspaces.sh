#!/usr/bin/env bash
# Creates (or updates) one HCP Terraform workspace per stack of the rollout plan, so that:
#   - every workspace runs remotely with dynamic AWS credentials (no keys stored anywhere);
#   - a stack that reads another stack's outputs (cdktf cross-stack references) may read its state,
#     and no other workspace may (remote state sharing by consumer list, not globally).
# Run it once before the first deploy, and again whenever the rollout plan gains a stack:
#   npm run --silent rollout -- plan --json > cdktf.out/rollout.json
#   TFE_TOKEN=... GUARDDUTY_RUN_ROLE_ARN=arn:aws:iam::...:role/... examples/hcp-terraform/workspaces.sh cdktf.out/rollout.json
set -euo pipefail

plan="${1:-cdktf.out/rollout.json}"
: "${TFE_TOKEN:?set TFE_TOKEN to an HCP Terraform user or team token that may manage workspaces}"
: "${GUARDDUTY_RUN_ROLE_ARN:?set GUARDDUTY_RUN_ROLE_ARN to the IAM role HCP Terraform runs assume}"
config="${ORG_CONFIG:-config/org.json}"
host="${TFE_HOSTNAME:-app.terraform.io}"
organization="$(jq -r '.backend.organization // empty' "$config")"
terraform_version="${TERRAFORM_VERSION:-1.10.5}"
[ -n "$organization" ] || { echo "$config: backend.organization is not set (backend.type must be \"cloud\")" >&2; exit 1; }
api="https://$host/api/v2"

# Names go into URL paths percent-encoded: the configuration's checks keep them to letters, digits,
# '_' and '-', but this script reads the files as they are, and a '/' or '..' must stay part of a name.
uri() { jq -rn --arg value "$1" '$value | @uri'; }
org_path="$(uri "$organization")"

call() { # method url [json body]
  curl --silent --show-error --fail-with-body -X "$1" "$2" \
    -H "Authorization: Bearer $TFE_TOKEN" -H 'Content-Type: application/vnd.api+json' ${3:+--data "$3"}
}

# workspace name -> id
declare -A ids
while IFS=$'\t' read -r stack workspace description; do
  [ -n "$workspace" ] || { echo "stack $stack has no HCP Terraform workspace: is backend.type \"cloud\"?" >&2; exit 1; }
  attributes="$(jq -nc --arg name "$workspace" --arg description "$description" --arg version "$terraform_version" \
    '{name: $name, description: $description, "execution-mode": "remote", "auto-apply": false, "terraform-version": $version, "global-remote-state": false}')"
  if existing="$(call GET "$api/organizations/$org_path/workspaces/$(uri "$workspace")" 2>/dev/null)"; then
    id="$(jq -r '.data.id' <<<"$existing")"
    call PATCH "$api/workspaces/$id" "{\"data\":{\"type\":\"workspaces\",\"attributes\":$attributes}}" >/dev/null
    echo "updated $workspace ($stack)"
  else
    id="$(call POST "$api/organizations/$org_path/workspaces" "{\"data\":{\"type\":\"workspaces\",\"attributes\":$attributes}}" | jq -r '.data.id')"
    echo "created $workspace ($stack)"
  fi
  ids[$stack]="$id"

  # Dynamic provider credentials: each run gets short-lived credentials of this role.
  variables="$(call GET "$api/workspaces/$id/vars")"
  for pair in "TFC_AWS_PROVIDER_AUTH=true" "TFC_AWS_RUN_ROLE_ARN=$GUARDDUTY_RUN_ROLE_ARN"; do
    key="${pair%%=*}" value="${pair#*=}"
    body="$(jq -nc --arg key "$key" --arg value "$value" '{data: {type: "vars", attributes: {key: $key, value: $value, category: "env", sensitive: false}}}')"
    var_id="$(jq -r --arg key "$key" '.data[] | select(.attributes.key == $key) | .id' <<<"$variables")"
    if [ -n "$var_id" ]; then call PATCH "$api/workspaces/$id/vars/$var_id" "$body" >/dev/null
    else call POST "$api/workspaces/$id/vars" "$body" >/dev/null; fi
  done
done < <(jq -r '.steps[].stacks[] | [.id, (.state.workspace // ""), .description] | @tsv' "$plan")

# Remote state sharing: a stack's state is readable by the stacks deployed after it that depend on it.
while IFS=$'\t' read -r stack consumers; do
  [ -n "$consumers" ] || continue
  body="$(for consumer in $consumers; do echo "${ids[$consumer]}"; done | jq -Rnc '{data: [inputs | {type: "workspaces", id: .}]}')"
  call PATCH "$api/workspaces/${ids[$stack]}/relationships/remote-state-consumers" "$body" >/dev/null
  echo "state of $stack shared with: $consumers"
done < <(jq -r '[.steps[].stacks[]] as $all | $all[] | .id as $id
  | [$id, ([$all[] | select(.dependsOn | index($id)) | .id] | join(" "))] | @tsv' "$plan")
