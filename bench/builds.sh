# Sourced by the bench scripts (not run): which build of the gateway, and of the floor relays
# beside it, a run measures, where each is published and how.
#
#   BENCH_BUILD=native  (the default) NativeAOT executables: what `dotnet publish -r linux-x64`
#                       makes of the gateway, the build a user runs (docs/operations.md), and the
#                       floor relays published the same way, so that the floor is the stack's
#                       cost in the same form
#   BENCH_BUILD=jit     framework-dependent ReadyToRun builds (`-p:PublishAot=false`), run by
#                       `dotnet`: dynamic PGO, ~40 MB more memory, a slower start
#
# Folders under bench/.cache: jit in switchyard/, floor/, yarp/ (Switchyard.dll, Floor.dll,
# YarpRelay.dll); native in native/, floor-native/, yarp-native/ (Switchyard, Floor, YarpRelay).
# Each folder gets a bench-source.txt naming the commit it was published from.

BENCH_BUILD=${BENCH_BUILD:-native}
case $BENCH_BUILD in
    native | jit) ;;
    *) echo "BENCH_BUILD=$BENCH_BUILD: native or jit" >&2; exit 2 ;;
esac
export BENCH_BUILD
BUILDS_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

build_dir() { # NAME (switchyard|floor|yarp) -> the folder its $BENCH_BUILD build is published in
    local cache=$BUILDS_REPO/bench/.cache
    case $BENCH_BUILD/$1 in
        jit/*) echo "$cache/$1" ;;
        native/switchyard) echo "$cache/native" ;;
        native/*) echo "$cache/$1-native" ;;
    esac
}

build_entry() { # NAME -> what runs it: the .dll for `dotnet` (jit) or the executable (native)
    local file
    case $1 in
        switchyard) file=Switchyard ;;
        floor) file=Floor ;;
        yarp) file=YarpRelay ;;
        *) echo "build_entry: switchyard, floor or yarp, not $1" >&2; return 2 ;;
    esac
    [[ $BENCH_BUILD == jit ]] && file+=.dll
    echo "$(build_dir "$1")/$file"
}

build_project() { # NAME -> its project folder, relative to the repository
    case $1 in
        switchyard) echo src/Switchyard ;;
        *) echo "bench/$1" ;;
    esac
}

build_publish() { # NAME...: publishes each in Release for linux-x64 as $BENCH_BUILD
    local name out how
    for name in "$@"; do
        out=$(build_dir "$name")
        if [[ $BENCH_BUILD == native ]]; then
            how=(-p:PublishAot=true)
        else
            how=(--self-contained false -p:PublishAot=false)
        fi
        echo "[bench] dotnet publish $(build_project "$name") -c Release -r linux-x64 ${how[*]} -o ${out#"$BUILDS_REPO"/} ($BENCH_BUILD)" >&2
        (cd "$BUILDS_REPO" && dotnet publish "$(build_project "$name")" -c Release -r linux-x64 "${how[@]}" -o "$out" -nologo -v quiet) >&2
        echo "$(git -C "$BUILDS_REPO" rev-parse --short HEAD)$(git -C "$BUILDS_REPO" diff --quiet HEAD -- src bench/floor bench/yarp || echo ' + uncommitted edits')" >"$out/bench-source.txt"
    done
}

build_require() { # NAME...: fails unless each is published for $BENCH_BUILD
    local name
    for name in "$@"; do
        [[ -f $(build_entry "$name") ]] || {
            echo "no $(build_entry "$name"): the $BENCH_BUILD build of $name is not published (drop --no-build)" >&2
            return 2
        }
    done
}
