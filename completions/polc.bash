# bash completion for polc. Install as /usr/share/bash-completion/completions/polc, or source it.
_polc() {
  local cur prev words cword
  if declare -F _init_completion >/dev/null; then
    _init_completion || return
  else
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    words=("${COMP_WORDS[@]}")
    cword=$COMP_CWORD
  fi
  local subcommands="check config merge explain dump parse disasm"
  local check_opts="--policies --no-builtin --exclude --exclude-construct --only --skip --severity --fail-threshold
    --fail-on --format -f --output -o --config --no-config --waivers --baseline --write-baseline
    --jobs -j --shard --cache --cache-max-mb --show-suppressed --no-inline-suppressions --honor-foreign-suppressions --quiet -q
    --no-color --verbose -v --help -h"
  local severities="critical high medium low info"
  local formats="text json sarif junit github"

  local sub="" i
  for ((i = 1; i < cword; i++)); do
    case ${words[i]} in
      check | config | merge | explain | dump | parse | disasm) sub=${words[i]}; break ;;
    esac
  done
  if [[ -z $sub ]]; then
    COMPREPLY=($(compgen -W "$subcommands --version --help" -- "$cur"))
    return
  fi
  case $prev in
    --severity | --fail-threshold | --fail-on) COMPREPLY=($(compgen -W "$severities" -- "$cur")); return ;;
    --format | -f) COMPREPLY=($(compgen -W "$formats" -- "$cur")); return ;;
    --output | -o) COMPREPLY=($(compgen -W "text= json= sarif= junit= github=" -- "$cur")); compopt -o nospace 2>/dev/null; return ;;
    --jobs | -j | --only | --skip | --shard | --cache-max-mb) return ;;
    --cache) COMPREPLY=($(compgen -d -- "$cur")); return ;;
    --policies | --exclude | --exclude-construct | --config | --waivers | --baseline | --write-baseline)
      COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac
  case $sub in
    check | config)
      if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$check_opts" -- "$cur"))
      else
        COMPREPLY=($(compgen -f -- "$cur"))
      fi ;;
    merge)
      if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "--format -f --output -o --severity --fail-threshold --fail-on
          --show-suppressed --no-color --verbose -v --help -h" -- "$cur"))
      else
        COMPREPLY=($(compgen -f -- "$cur"))
      fi ;;
    explain) [[ $cur == -* ]] && COMPREPLY=($(compgen -W "--policies --help" -- "$cur")) ;;
    disasm) [[ $cur == -* ]] && COMPREPLY=($(compgen -W "--builtin --help" -- "$cur")) || COMPREPLY=($(compgen -f -- "$cur")) ;;
    *) COMPREPLY=($(compgen -f -- "$cur")) ;;
  esac
}
complete -o filenames -F _polc polc
