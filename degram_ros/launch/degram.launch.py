# Copyright 2026 degram_ros contributors
# SPDX-License-Identifier: Apache-2.0
r"""Start degram_node with its parameters from a YAML file.

    ros2 launch degram_ros degram.launch.py
    ros2 launch degram_ros degram.launch.py namespace:=robot1 audio_topic:=/audio/audio \\
        model_path:=/path/model.pt device:=cuda window_length:=1.0
    ros2 launch degram_ros degram.launch.py demo:=true wav_file:=/path/clip.wav

Parameters come from params_file (default: config/degram.yaml of this package); model_path,
task, device, backend, window_length and hop_length given here override the file (empty = keep
the file's value).
degram_node is started as a lifecycle node (launch_ros LifecycleNode, its own autostart off) and
this launch drives it: configure at start, activate once it is inactive (as ros4hri's nodes are
launched). With autostart:=false it stays unconfigured for a lifecycle manager (nav2's
lifecycle_manager, ``ros2 lifecycle set``).
audio_topic / audio_info_topic remap the node's relative topics, e.g. to audio_capture's
/audio/audio and /audio/audio_info (start audio_capture with format:=wave).
"""
from launch import LaunchDescription
from launch.actions import (
    DeclareLaunchArgument,
    EmitEvent,
    IncludeLaunchDescription,
    OpaqueFunction,
    RegisterEventHandler,
)
from launch.conditions import IfCondition
from launch.events import matches_action
from launch.launch_description_sources import PythonLaunchDescriptionSource
from launch.substitutions import LaunchConfiguration, PathJoinSubstitution
from launch_ros.actions import LifecycleNode
from launch_ros.event_handlers import OnStateTransition
from launch_ros.events.lifecycle import ChangeState
from launch_ros.substitutions import FindPackageShare
from lifecycle_msgs.msg import Transition


def _overrides(context):
    """Only the override arguments that were given (non-empty), typed for the node."""
    values = {}
    for name, cast in (('model_path', str), ('device', str), ('window_length', float),
                       ('hop_length', float), ('task', str), ('backend', str)):
        text = LaunchConfiguration(name).perform(context)
        if text != '':
            values[name] = cast(text)
    return values


def _node(context):
    """degram_node as a lifecycle node, and (autostart:=true) its transitions: configure now,
    activate once configure has made it inactive."""
    node = LifecycleNode(
        package='degram_ros',
        executable='degram_node',
        name='degram_node',
        namespace=LaunchConfiguration('namespace'),
        output='screen',
        emulate_tty=True,
        # this launch (or a lifecycle manager) drives the transitions, not the node itself
        parameters=[LaunchConfiguration('params_file'), _overrides(context), {'autostart': False}],
        remappings=[
            ('audio', LaunchConfiguration('audio_topic')),
            ('audio_stamped', LaunchConfiguration('audio_stamped_topic')),
            ('audio_info', LaunchConfiguration('audio_info_topic')),
        ],
    )
    autostart = IfCondition(LaunchConfiguration('autostart'))
    activate = RegisterEventHandler(OnStateTransition(
        target_lifecycle_node=node, start_state='configuring', goal_state='inactive',
        entities=[EmitEvent(event=ChangeState(lifecycle_node_matcher=matches_action(node),
                                              transition_id=Transition.TRANSITION_ACTIVATE))]),
        condition=autostart)
    configure = EmitEvent(event=ChangeState(lifecycle_node_matcher=matches_action(node),
                                            transition_id=Transition.TRANSITION_CONFIGURE),
                          condition=autostart)
    return [node, activate, configure]


def generate_launch_description():
    share = FindPackageShare('degram_ros')
    return LaunchDescription([
        DeclareLaunchArgument('params_file',
                              default_value=PathJoinSubstitution([share, 'config', 'degram.yaml']),
                              description='YAML file with the degram_node parameters'),
        DeclareLaunchArgument('namespace', default_value='',
                              description='namespace of the node (and so of its topics)'),
        DeclareLaunchArgument('audio_topic', default_value='audio',
                              description='AudioData input topic (e.g. /audio/audio)'),
        DeclareLaunchArgument('audio_stamped_topic', default_value='audio_stamped',
                              description='AudioDataStamped input topic (with stamped:=true)'),
        DeclareLaunchArgument('audio_info_topic', default_value='audio_info',
                              description='AudioInfo topic (e.g. /audio/audio_info)'),
        DeclareLaunchArgument('model_path', default_value='',
                              description='checkpoint file or shipped model name; empty = file'),
        DeclareLaunchArgument('task', default_value='',
                              description='sound_event | speaker_id; empty = file/checkpoint'),
        DeclareLaunchArgument('device', default_value='',
                              description='auto | cpu | cuda | cuda:N; empty = file (auto)'),
        DeclareLaunchArgument('backend', default_value='',
                              description="torch | onnxruntime; empty = file (torch; onnxruntime "
                                          'for an .onnx model_path)'),
        DeclareLaunchArgument('window_length', default_value='',
                              description="seconds per inference; empty = file (0: the model's)"),
        DeclareLaunchArgument('hop_length', default_value='',
                              description="seconds between inferences; empty = file (0: the model's)"),
        DeclareLaunchArgument('autostart', default_value='true',
                              description='configure and activate degram_node from this launch; false = '
                                          'leave it unconfigured for a lifecycle manager'),
        DeclareLaunchArgument('demo', default_value='false',
                              description='also start wav_publisher playing wav_file (looping)'),
        DeclareLaunchArgument('wav_file', default_value='',
                              description='audio file for demo:=true'),
        OpaqueFunction(function=_node),
        IncludeLaunchDescription(
            PythonLaunchDescriptionSource(PathJoinSubstitution([share, 'launch',
                                                                'demo.launch.py'])),
            condition=IfCondition(LaunchConfiguration('demo')),
            launch_arguments={'namespace': LaunchConfiguration('namespace'),
                              'wav_file': LaunchConfiguration('wav_file'),
                              'start_degram': 'false'}.items(),
        ),
    ])
