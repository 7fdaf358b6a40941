import os
from glob import glob

from setuptools import find_packages, setup

package_name = 'degram_ros'

setup(
    name=package_name,
    version='0.1.0',
    packages=find_packages(exclude=['test']),
    package_data={package_name: ['models/*.pt', 'configs/*.yaml', 'assets/demo/*']},
    include_package_data=True,
    data_files=[
        ('share/ament_index/resource_index/packages', ['resource/' + package_name]),
        ('share/' + package_name, ['package.xml']),
        (os.path.join('share', package_name, 'launch'), glob('launch/*.launch.py')),
        (os.path.join('share', package_name, 'config'), glob('config/*.yaml')),
    ],
    install_requires=['setuptools', 'numpy', 'torch', 'soundfile', 'soxr', 'pyyaml'],
    extras_require={
        'export': ['onnx', 'onnxruntime'],
        'plot': ['matplotlib'],
        'test': ['pytest', 'ruff'],
    },
    zip_safe=False,
    maintainer='degram_ros maintainers',
    maintainer_email='maintainers@degram-ros.dev',
    description='Real-time sound-event and speaker recognition for ROS 2 with the DEGram '
                'learnable time-frequency front-end.',
    license='Apache-2.0',
    python_requires='>=3.10',
    entry_points={
        'console_scripts': [
            'degram = degram_ros.cli:main',
            'degram_node = degram_ros.node:main',
            'wav_publisher = degram_ros.wav_publisher:main',
        ],
    },
)
