# Sourced by the scripts that install what they need (quickstart, test, benchmarks); defines:
# apt_install PACKAGE...: as root with apt-get, install the Debian packages (no recommends), waiting up to 10 min
# for another apt/dpkg to finish and refreshing the package lists once if the first try fails; else return 1.
apt_install() {
  [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null || return 1
  local apt=(apt-get -o DPkg::Lock::Timeout=600 -y -qq)
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" install --no-install-recommends "$@" >/dev/null 2>&1 && return 0
  "${apt[@]}" update >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" install --no-install-recommends "$@" >/dev/null 2>&1
}
