#!/usr/bin/env bash
# Creates (or updates) one HCP Terraform workspace per stack of the rollout plan, so that:
#   - every workspace runs remotely with dynamic AWS credentials (no keys stored anywhere): with
#     backend.dynamicCredentials, per account of the stack, its read-only role in plans and its
#     deployment role in applies; without it, one role for the whole run (GUARDDUTY_RUN_ROLE_ARN);
#   - a stack that reads another stack's outputs (cdktf cross-stack references) may read its state,
#     and no other workspace may (remote state sharing by consumer list, not globally).
# Run it once before the first deploy, and again whenever the rollout plan gains a stack:
#   npm run --silent rollout -- plan --json > cdktf.out/rollout.json
#   TFE_TOKEN=... examples/hcp-terraform/workspaces.sh cdktf.out/rollout.json
set -euo pipefail

plan="${1:-cdktf.out/rollout.json}"
: "${TFE_TOKEN:?set TFE_TOKEN to an HCP Terraform user or team token that may manage workspaces}"
config="${ORG_CONFIG:-config/org.json}"
host="${TFE_HOSTNAME:-app.terraform.io}"
organization="$(jq -r '.backend.organization // empty' "$config")"
terraform_version="${TERRAFORM_VERSION:-1.10.5}"
[ -n "$organization" ] || { echo "$config: backend.organization is not set (backend.type must be \"cloud\")" >&2; exit 1; }
dynamic="$(jq -r '.backend.dynamicCredentials == true' "$config")"
if [ "$dynamic" = true ]; then
  # The roles of examples/deployment-roles: the apply's is roleName (managementRoleName in the
  # management account), the plan's the read-only role.
  read_only_role="${GUARDDUTY_READ_ONLY_ROLE_NAME:-GuardDutyReadOnly}"
  # The project the workspaces are in: the organization's default project unless you moved them.
  project="${HCP_PROJECT_NAME:-Default Project}"
  partition="$(jq -r '.homeRegion | if startswith("us-gov-") then "aws-us-gov" elif startswith("cn-") then "aws-cn" else "aws" end' "$config")"
else
  : "${GUARDDUTY_RUN_ROLE_ARN:?set GUARDDUTY_RUN_ROLE_ARN to the IAM role HCP Terraform runs assume (or set backend.dynamicCredentials)}"
fi
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
subjects=()
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

  # Dynamic provider credentials: short-lived credentials for each run, never a stored key.
  if [ "$dynamic" = true ]; then
    # One configuration per account, tagged as the stack's providers name it (member_<id>, admin,
    # management, log_archive, ...): the stack's variable tfc_aws_dynamic_credentials reads it.
    wanted="$(jq -r --arg stack "$stack" --arg partition "$partition" --arg plan_role "$read_only_role" \
      --argjson config "$(jq -c '{roleName, managementRoleName: (.managementRoleName // .roleName)}' "$config")" '
      .steps[].stacks[] | select(.id == $stack) | .accounts[]
      | ((if .role == "member" then "member-\(.id)" else .role end) | gsub("-"; "_")) as $tag
      | "arn:\($partition):iam::\(.id):role/" as $arn
      | "TFC_AWS_PROVIDER_AUTH_\($tag)=true",
        "TFC_AWS_PLAN_ROLE_ARN_\($tag)=\($arn)\($plan_role)",
        "TFC_AWS_APPLY_ROLE_ARN_\($tag)=\($arn)\(if .role == "management" then $config.managementRoleName else $config.roleName end)"' "$plan")"
    subjects+=("organization:$organization:project:$project:workspace:$workspace")
  else
    wanted="$(printf '%s\n' "TFC_AWS_PROVIDER_AUTH=true" "TFC_AWS_RUN_ROLE_ARN=$GUARDDUTY_RUN_ROLE_ARN")"
  fi
  variables="$(call GET "$api/workspaces/$id/vars")"
  while IFS= read -r pair; do
    key="${pair%%=*}" value="${pair#*=}"
    body="$(jq -nc --arg key "$key" --arg value "$value" '{data: {type: "vars", attributes: {key: $key, value: $value, category: "env", sensitive: false}}}')"
    var_id="$(jq -r --arg key "$key" '.data[] | select(.attributes.key == $key) | .id' <<<"$variables")"
    if [ -n "$var_id" ]; then call PATCH "$api/workspaces/$id/vars/$var_id" "$body" >/dev/null
    else call POST "$api/workspaces/$id/vars" "$body" >/dev/null; fi
  done <<<"$wanted"
  # Credentials the workspace should no longer have: the other mode's, an account the stack left.
  while IFS=$'\t' read -r var_id key; do
    [ -n "$var_id" ] || continue
    call DELETE "$api/workspaces/$id/vars/$var_id" >/dev/null
    echo "removed $key from $workspace"
  done < <(jq -r --arg wanted "$wanted" '($wanted | split("\n") | map(split("=")[0])) as $keep
    | .data[] | select(.attributes.category == "env" and (.attributes.key | startswith("TFC_AWS_")) and ((.attributes.key | IN($keep[])) | not))
    | [.id, .attributes.key] | @tsv' <<<"$variables")
done < <(jq -r '.steps[].stacks[] | [.id, (.state.workspace // ""), .description] | @tsv' "$plan")

# Remote state sharing: a stack's state is readable by the stacks deployed after it that depend on it.
while IFS=$'\t' read -r stack consumers; do
  [ -n "$consumers" ] || continue
  body="$(for consumer in $consumers; do echo "${ids[$consumer]}"; done | jq -Rnc '{data: [inputs | {type: "workspaces", id: .}]}')"
  call PATCH "$api/workspaces/${ids[$stack]}/relationships/remote-state-consumers" "$body" >/dev/null
  echo "state of $stack shared with: $consumers"
done < <(jq -r '[.steps[].stacks[]] as $all | $all[] | .id as $id
  | [$id, ([$all[] | select(.dependsOn | index($id)) | .id] | join(" "))] | @tsv' "$plan")

if [ "$dynamic" = true ]; then
  # The value of HcpWorkspaces for examples/deployment-roles: these workspaces, and no other, get the roles.
  echo "HcpWorkspaces=$(IFS=,; echo "${subjects[*]}")"
fi
