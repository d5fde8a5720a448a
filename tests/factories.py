"""Realistic documents for tests and benchmarks."""

from __future__ import annotations

import yaml


def role(index: int, roles: int) -> dict:
    return {
        "name": f"role-{index}",
        "publishParams": {
            "allowed": ["audio", "video", "screen"],
            "audio": {"bitRate": 32, "codec": "opus"},
            "video": {"bitRate": 256, "codec": "vp8", "frameRate": 25, "width": 320, "height": 180},
            "screen": {"bitRate": 1024, "codec": "vp8", "frameRate": 10, "width": 1280, "height": 720},
            "simulcast": {
                "video": {
                    "layers": [
                        {"rid": "f", "scaleResolutionDownBy": 1.0, "maxBitrate": 700, "maxFramerate": 30},
                        {"rid": "h", "scaleResolutionDownBy": 2.0, "maxBitrate": 250, "maxFramerate": 30},
                    ]
                },
                "screen": {},
            },
        },
        "subscribeParams": {
            "subscribeToRoles": [f"role-{j}" for j in range(roles)],
            "maxSubsBitRate": 3200,
            "subscribeDegradation": {
                "packetLossThreshold": 25,
                "degradeGracePeriodSeconds": 1,
                "recoverGracePeriodSeconds": 4,
            },
        },
        "permissions": {
            "endRoom": index == 0,
            "removeOthers": index == 0,
            "mute": index < 2,
            "unmute": False,
            "changeRole": index == 0,
            "sendRoomState": False,
            "pollRead": True,
            "pollWrite": False,
            "browserRecording": True,
            "rtmpStreaming": True,
            "hlsStreaming": True,
        },
        "priority": 1 + index % 5,
        "maxPeerCount": 0,
    }


def template(name: str = "t", roles: int = 20) -> dict:
    return {
        "name": name,
        "roles": {f"role-{i}": role(i, roles) for i in range(roles)},
        "settings": {
            "region": "in",
            "roomState": {"messageInterval": 5, "sendPeerList": False, "enabled": False, "stopRoomStateOnJoin": True},
        },
    }


def template_yaml(name: str = "t", roles: int = 20) -> str:
    return yaml.safe_dump({"kind": "Template", **template(name, roles)}, sort_keys=False)
